import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * The example's configuration: environment variables (and `--dir`), validated with zod. A bad value is
 * reported in one line that names the variable and what it accepts (`ConfigError`).
 */

export const BACKENDS = ['fs', 'memory', 's3-sim', 's3'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface S3Settings {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  prefix: string;
}

export interface ExampleConfig {
  backend: BackendName;
  /** fs: the data directory (`--dir`, `DURABILITY_DIR`, default `./data`). */
  dir: string;
  /** s3: where and as whom. */
  s3: S3Settings | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const nonEmpty = z.string().trim().min(1);

const variables = {
  DURABILITY_BACKEND: z.enum(BACKENDS).default('fs'),
  DURABILITY_DIR: nonEmpty.optional(),
  DURABILITY_S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  DURABILITY_S3_BUCKET: nonEmpty.optional(),
  DURABILITY_S3_REGION: nonEmpty.default('us-east-1'),
  DURABILITY_S3_ACCESS_KEY: nonEmpty.optional(),
  DURABILITY_S3_SECRET_KEY: nonEmpty.optional(),
  DURABILITY_S3_PREFIX: nonEmpty.optional(),
};

const ALLOWED: Record<keyof typeof variables, string> = {
  DURABILITY_BACKEND: BACKENDS.join(' | '),
  DURABILITY_DIR: 'a directory path',
  DURABILITY_S3_ENDPOINT: 'an http(s) URL, e.g. http://127.0.0.1:7480',
  DURABILITY_S3_BUCKET: 'a bucket name',
  DURABILITY_S3_REGION: 'a region name',
  DURABILITY_S3_ACCESS_KEY: 'an access key id',
  DURABILITY_S3_SECRET_KEY: 'a secret key',
  DURABILITY_S3_PREFIX: 'a key prefix',
};

const S3_REQUIRED = [
  'DURABILITY_S3_ENDPOINT',
  'DURABILITY_S3_BUCKET',
  'DURABILITY_S3_ACCESS_KEY',
  'DURABILITY_S3_SECRET_KEY',
] as const;

/** Reads the configuration; throws `ConfigError` naming the first bad variable or argument. */
export function loadConfig(env: NodeJS.ProcessEnv, argv: readonly string[]): ExampleConfig {
  const values: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(variables)) {
    const raw = env[name] === '' ? undefined : env[name];
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      const allowed = ALLOWED[name as keyof typeof variables];
      throw new ConfigError(`${name}=${JSON.stringify(raw)} is not valid: expected ${allowed}`);
    }
    values[name] = parsed.data;
  }
  const backend = values.DURABILITY_BACKEND as BackendName;
  const dir = resolve(dirArgument(argv) ?? (values.DURABILITY_DIR as string | undefined) ?? 'data');
  if (backend !== 's3') return { backend, dir, s3: undefined };
  const missing = S3_REQUIRED.filter((name) => values[name] === undefined);
  if (missing.length > 0) {
    throw new ConfigError(
      `DURABILITY_BACKEND=s3 needs ${missing.join(', ')} (the S3 endpoint and credentials)`,
    );
  }
  return {
    backend,
    dir,
    s3: {
      endpoint: values.DURABILITY_S3_ENDPOINT as string,
      bucket: values.DURABILITY_S3_BUCKET as string,
      region: values.DURABILITY_S3_REGION as string,
      accessKeyId: values.DURABILITY_S3_ACCESS_KEY as string,
      secretAccessKey: values.DURABILITY_S3_SECRET_KEY as string,
      prefix: (values.DURABILITY_S3_PREFIX as string | undefined) ?? `durability-example/${Date.now()}/`,
    },
  };
}

function dirArgument(argv: readonly string[]): string | undefined {
  const at = argv.indexOf('--dir');
  if (at < 0) return undefined;
  const value = argv[at + 1];
  if (value === undefined || value.startsWith('--')) throw new ConfigError('--dir needs a path');
  return value;
}
