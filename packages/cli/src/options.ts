import { InvalidConfigError, type ReplayMode } from '@durability/core';
import type { BackendSpec } from './open-directory.js';

/**
 * Command-line values → typed options. Every bad value is an `InvalidConfigError` naming the option and
 * the allowed values (printed as one line, exit 64).
 */

export const MODES: readonly ReplayMode[] = ['strict', 'best-effort'];
export const BACKENDS: readonly BackendSpec['backend'][] = ['fs', 's3'];

export function parseMode(value: string): ReplayMode {
  if ((MODES as readonly string[]).includes(value)) return value as ReplayMode;
  throw new InvalidConfigError(`--mode must be one of ${MODES.join(', ')}`, { actual: value });
}

export function parseEntryId(name: string): (value: string) => number {
  return (value) => {
    const id = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (!Number.isSafeInteger(id) || id < 1) {
      throw new InvalidConfigError(`${name} must be an entry id (an integer ≥ 1)`, { actual: value });
    }
    return id;
  };
}

export function parseBackend(value: string): BackendSpec['backend'] {
  if ((BACKENDS as readonly string[]).includes(value)) return value as BackendSpec['backend'];
  throw new InvalidConfigError(`--backend must be one of ${BACKENDS.join(', ')}`, { actual: value });
}

/** The backend options every command takes. */
export interface BackendOptions {
  backend: BackendSpec['backend'];
  endpoint?: string;
  bucket?: string;
  prefix?: string;
  region?: string;
}

/**
 * Where the WAL is. For `fs`, `<dir>` is the WAL's root directory (the one holding `wal/`). For `s3`,
 * `<dir>` (or `--prefix`) is the root's key prefix in the bucket.
 */
export function backendSpec(dir: string | undefined, options: BackendOptions): BackendSpec {
  if (options.backend === 'fs') {
    for (const name of ['endpoint', 'bucket', 'prefix', 'region'] as const) {
      if (options[name] !== undefined) {
        throw new InvalidConfigError(`--${name} applies only to --backend s3`);
      }
    }
    if (dir === undefined || dir === '')
      throw new InvalidConfigError('missing the WAL directory argument <dir>');
    return { backend: 'fs', path: dir };
  }
  if (!options.endpoint) throw new InvalidConfigError('--backend s3 needs --endpoint <url>');
  if (!options.bucket) throw new InvalidConfigError('--backend s3 needs --bucket <name>');
  if (dir !== undefined && options.prefix !== undefined && dir !== options.prefix) {
    throw new InvalidConfigError('give the S3 key prefix once: as <dir> or as --prefix, not both');
  }
  return {
    backend: 's3',
    endpoint: options.endpoint,
    bucket: options.bucket,
    prefix: options.prefix ?? dir ?? '',
    region: options.region,
  };
}
