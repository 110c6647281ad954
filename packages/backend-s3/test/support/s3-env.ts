import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { S3ObjectStore, type S3ObjectStoreOptions } from '../../src/index.js';

/**
 * The real server the integration tests run against, from the environment `scripts/s3-test-server.sh
 * start` writes (DURABILITY_S3_ENDPOINT, _BUCKET, _ACCESS_KEY, _SECRET_KEY, _REGION).
 */
export interface S3TestEnv {
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

function readEnv(): S3TestEnv | undefined {
  const endpoint = process.env.DURABILITY_S3_ENDPOINT;
  if (endpoint === undefined || endpoint === '') return undefined;
  const required = (name: string): string => {
    const value = process.env[name];
    if (value === undefined || value === '') {
      throw new Error(
        `DURABILITY_S3_ENDPOINT is set but ${name} is not (source the env file of scripts/s3-test-server.sh)`,
      );
    }
    return value;
  };
  return {
    endpoint,
    bucket: required('DURABILITY_S3_BUCKET'),
    region: process.env.DURABILITY_S3_REGION || 'us-east-1',
    accessKeyId: required('DURABILITY_S3_ACCESS_KEY'),
    secretAccessKey: required('DURABILITY_S3_SECRET_KEY'),
  };
}

export const s3Env: S3TestEnv | undefined = readEnv();

const SKIP_REASON =
  'skipped: DURABILITY_S3_ENDPOINT is not set (run `scripts/s3-test-server.sh start` and source its env file)';

/**
 * `describe` for tests that need the real server: skipped with a visible reason when no endpoint is
 * configured, except under CI, where a missing endpoint is a failing test (CI must never silently skip
 * the real-server tests).
 */
export function describeWithS3(name: string, body: (env: S3TestEnv) => void): void {
  if (s3Env === undefined) {
    if (process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false') {
      describe(name, () => {
        it('has a real S3 endpoint (CI must not skip the real-server tests)', () => {
          expect.fail(
            'CI is set but DURABILITY_S3_ENDPOINT is not: start the server with scripts/s3-test-server.sh start and source its env file',
          );
        });
      });
      return;
    }
    console.warn(`[backend-s3] ${name}: ${SKIP_REASON}`);
    describe.skip(`${name} (${SKIP_REASON})`, () => {
      it.skip('needs a real S3 endpoint', () => {});
    });
    return;
  }
  const env = s3Env;
  describe(name, () => body(env));
}

/** A key prefix no other run or test uses: `test-runs/<run id>/<label>/`. */
const RUN_ID = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID().slice(0, 8)}`;
let prefixes = 0;
export function uniquePrefix(label: string): string {
  prefixes++;
  return `test-runs/${RUN_ID}/${label}-${prefixes}/`;
}

export function storeOptions(env: S3TestEnv, keyPrefix: string): S3ObjectStoreOptions {
  return {
    endpoint: env.endpoint,
    region: env.region,
    bucket: env.bucket,
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
    forcePathStyle: true,
    keyPrefix,
  };
}

export function newStore(env: S3TestEnv, label: string): S3ObjectStore {
  return new S3ObjectStore(storeOptions(env, uniquePrefix(label)));
}

/** Deletes every key under the store's prefix (tests clean up after themselves), then closes the store. */
export async function emptyStore(store: S3ObjectStore): Promise<void> {
  let token: string | undefined;
  do {
    const page = await store.listObjects(token === undefined ? {} : { continuationToken: token });
    const keys = page.objects.map((o) => o.key);
    for (let i = 0; i < keys.length; i += 32) {
      await Promise.all(keys.slice(i, i + 32).map((key) => store.deleteObject(key)));
    }
    token = page.nextContinuationToken;
  } while (token !== undefined);
  store.destroy();
}
