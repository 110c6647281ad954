import { randomUUID } from 'node:crypto';
import { S3ObjectStore } from '@durability/backend-s3';
import { ObjectStoreDirectory, WalWriter } from '@durability/core';
import { describe, expect, it } from 'vitest';
import { entryFor } from './support/make-wal.js';
import { durability, json } from './support/run-cli.js';

/**
 * `--backend s3` against a real S3-compatible server: the environment `scripts/s3-test-server.sh start`
 * writes (DURABILITY_S3_ENDPOINT, _BUCKET, _ACCESS_KEY, _SECRET_KEY, _REGION). Skipped without it. The
 * unreachable-endpoint case always runs: it proves the lazy S3 path loads and maps its errors.
 */
const endpoint = process.env.DURABILITY_S3_ENDPOINT;
const bucket = process.env.DURABILITY_S3_BUCKET ?? '';
const accessKeyId = process.env.DURABILITY_S3_ACCESS_KEY ?? '';
const secretAccessKey = process.env.DURABILITY_S3_SECRET_KEY ?? '';
const region = process.env.DURABILITY_S3_REGION || 'us-east-1';

describe('--backend s3', () => {
  it('an unreachable endpoint is one IO line (exit 74), not a stack', async () => {
    const run = await durability(
      ['verify', 'some/prefix', '--backend', 's3', '--endpoint', 'http://127.0.0.1:9', '--bucket', 'b'],
      { AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' },
    );
    expect(run.code).toBe(74);
    expect(run.stderr).toMatch(/^durability: IO: S3 LIST failed .*\n$/);
  });

  it.skipIf(!endpoint)('verify, dump and inspect a WAL written through ObjectStoreDirectory', async () => {
    const prefix = `cli-test/${randomUUID()}`;
    const store = new S3ObjectStore({
      bucket,
      endpoint,
      region,
      credentials: { accessKeyId, secretAccessKey },
      forcePathStyle: true,
    });
    const writer = await WalWriter.create(new ObjectStoreDirectory(store, { prefix }), {
      segmentSizeBytes: 256,
    });
    for (let i = 1; i <= 8; i++) await writer.append(entryFor(i));
    await writer.flushAndSync();
    const args = ['--backend', 's3', '--endpoint', endpoint!, '--bucket', bucket, '--region', region];
    const env = { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey };
    try {
      const inspected = json<{ lock: { status: string; pid: number } | null; entries: { count: number } }>(
        await durability(['inspect', prefix, '--json', ...args], env),
      );
      expect(inspected.entries.count).toBe(8);
      expect(inspected.lock).toMatchObject({ status: 'live', pid: process.pid });
    } finally {
      await writer.close();
    }
    const verified = await durability(['verify', prefix, ...args], env);
    expect(verified.code).toBe(0);
    const dumped = await durability(['dump', prefix, '--from', '7', ...args], env);
    expect(
      dumped.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { entryId: 7, entry: entryFor(7) },
      { entryId: 8, entry: entryFor(8) },
    ]);
  });
});
