import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FsDirectory } from '@durability/backend-fs';
import {
  type Directory,
  InvalidConfigError,
  IoError,
  NotFoundError,
  parseSegmentFileName,
  WAL_DIR,
} from '@durability/core';

/** Where the WAL lives. `fs` is a local directory; `s3` a key prefix in an S3-compatible bucket. */
export type BackendSpec =
  | { backend: 'fs'; path: string }
  | {
      backend: 's3';
      endpoint: string;
      bucket: string;
      /** Key prefix of the WAL's root inside the bucket ('' for the bucket root). */
      prefix: string;
      region?: string;
    };

/** An opened WAL root: the `Directory` the core API takes, and how to name it to the user. */
export interface OpenedDirectory {
  dir: Directory;
  /** `fs:/abs/path` or `s3://bucket/prefix` (for messages and `--json` documents). */
  location: string;
  backend: BackendSpec['backend'];
}

/**
 * Opens the WAL root named by `spec` and checks that it is one (it holds `wal/`). Never creates
 * anything: a missing directory, a file, or a directory without `wal/` is a `NotFoundError` (a user
 * mistake, exit 64). The S3 backend (and with it the AWS SDK) is imported only when asked for.
 */
export async function openWalDirectory(spec: BackendSpec): Promise<OpenedDirectory> {
  const opened = spec.backend === 'fs' ? await openFs(spec.path) : await openS3(spec);
  await assertWalRoot(opened);
  return opened;
}

async function openFs(path: string): Promise<OpenedDirectory> {
  if (path === '') throw new InvalidConfigError('the WAL directory must be a non-empty path');
  const root = resolve(path);
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(root)).isDirectory();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new NotFoundError('no such directory', { path: root });
    }
    throw new IoError(`cannot stat the WAL directory: ${(error as Error).message}`, {
      path: root,
      cause: error,
      errno: typeof code === 'string' ? code : undefined,
    });
  }
  if (!isDirectory) throw new NotFoundError('not a directory (pass the WAL root directory)', { path: root });
  return { dir: new FsDirectory(root), location: root, backend: 'fs' };
}

async function openS3(spec: Extract<BackendSpec, { backend: 's3' }>): Promise<OpenedDirectory> {
  const { openS3Directory } = await import('./s3-directory.js');
  return openS3Directory(spec);
}

/** A WAL root holds `wal/`. A directory of segment files is the `wal/` directory itself: say so. */
async function assertWalRoot(opened: OpenedDirectory): Promise<void> {
  const { dir, location } = opened;
  if ((await dir.list(WAL_DIR)).length > 0 || (await dir.exists(WAL_DIR))) return;
  const names = await dir.list('');
  if (names.some(looksLikeSegment)) {
    throw new NotFoundError(`not a WAL directory: it holds segment files itself; pass its parent directory`, {
      path: location,
    });
  }
  throw new NotFoundError(`not a WAL directory (no ${WAL_DIR}/ inside)`, { path: location });
}

function looksLikeSegment(name: string): boolean {
  try {
    return parseSegmentFileName(name) !== undefined;
  } catch {
    return true;
  }
}
