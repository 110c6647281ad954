import { S3Client } from '@aws-sdk/client-s3';
import {
  EncodeError,
  InvalidConfigError,
  InvalidPathError,
  IoError,
  NotFoundError,
  PreconditionFailedError,
  UnknownOutcomeError,
} from '@durability/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../src/index.js';
import { backoffDelayMs, DEFAULT_RETRY_POLICY } from '../src/retry.js';
import { ScriptedServer } from './support/scripted-server.js';

const ok = (headers: Record<string, string> = {}, body?: Uint8Array) => ({
  status: 200,
  headers: { etag: '"e1"', ...headers },
  ...(body === undefined ? {} : { body }),
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('S3ObjectStore failure handling (scripted HTTP responses)', () => {
  let server: ScriptedServer;
  let store: S3ObjectStore;

  beforeAll(async () => {
    server = await ScriptedServer.start();
  });
  afterAll(() => server.close());
  beforeEach(() => {
    server.reset();
    store = new S3ObjectStore({
      endpoint: server.endpoint,
      bucket: 'b',
      keyPrefix: 'pre/',
      credentials: { accessKeyId: 'a', secretAccessKey: 's' },
      retry: { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 },
      attemptTimeoutMs: 300,
    });
  });

  it('sends If-Match unquoted and returns ETags unquoted', async () => {
    server.respond(ok({ etag: '"new-etag"' }));
    const info = await store.putObject('k', new Uint8Array([1]), { ifMatch: '"old-etag"' });
    expect(info.etag).toBe('new-etag');
    expect(server.requests[0]?.headers['if-match']).toBe('old-etag');
    expect(server.requests[0]?.url.split('?')[0]).toBe('/b/pre/k');
  });

  it('sends If-None-Match: * for a create', async () => {
    server.respond(ok());
    await store.putObject('k', new Uint8Array([1]), { ifNoneMatch: '*' });
    expect(server.requests[0]?.headers['if-none-match']).toBe('*');
  });

  it('maps 412 on a conditional PUT to PreconditionFailedError naming the key, without retrying', async () => {
    server.respond({ status: 412, code: 'PreconditionFailed' });
    const error = await rejection(store.putObject('k', new Uint8Array([1]), { ifNoneMatch: '*' }));
    expect(PreconditionFailedError.is(error)).toBe(true);
    expect((error as PreconditionFailedError).path).toBe('k');
    expect(server.requests).toHaveLength(1);
  });

  it("maps AWS's 404 for If-Match on a missing key to PreconditionFailedError", async () => {
    server.respond({ status: 404, code: 'NoSuchKey' });
    const error = await rejection(store.putObject('k', new Uint8Array([1]), { ifMatch: 'e' }));
    expect(PreconditionFailedError.is(error)).toBe(true);
  });

  it('maps 409 ConditionalRequestConflict to PreconditionFailedError', async () => {
    server.respond({ status: 409, code: 'ConditionalRequestConflict' });
    const error = await rejection(store.putObject('k', new Uint8Array([1]), { ifMatch: 'e' }));
    expect(PreconditionFailedError.is(error)).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('reports a 500 on a conditional PUT as UnknownOutcomeError after exactly one attempt', async () => {
    server.respond({ status: 500, code: 'InternalError' }, ok());
    const error = await rejection(store.putObject('k', new Uint8Array([1]), { ifNoneMatch: '*' }));
    expect(UnknownOutcomeError.is(error)).toBe(true);
    expect((error as UnknownOutcomeError).path).toBe('k');
    expect(server.requests).toHaveLength(1);
  });

  it('reports a timed-out conditional PUT as UnknownOutcomeError after exactly one attempt', async () => {
    server.respond({ hang: true }, ok());
    const error = await rejection(store.putObject('k', new Uint8Array([1]), { ifMatch: 'e' }));
    expect(UnknownOutcomeError.is(error)).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it('retries a throttled (503 SlowDown) conditional PUT: nothing was applied', async () => {
    server.respond(
      { status: 503, code: 'SlowDown' },
      { status: 503, code: 'SlowDown' },
      ok({ etag: '"won"' }),
    );
    const info = await store.putObject('k', new Uint8Array([1]), { ifNoneMatch: '*' });
    expect(info.etag).toBe('won');
    expect(server.requests).toHaveLength(3);
  });

  it('retries an unconditional PUT after a 500 and succeeds', async () => {
    server.respond({ status: 500, code: 'InternalError' }, ok());
    await store.putObject('k', new Uint8Array([1]));
    expect(server.requests).toHaveLength(2);
  });

  it('gives up on an unconditional PUT after maxAttempts with UnknownOutcomeError when an attempt may have applied', async () => {
    server.respond(...Array.from({ length: 4 }, () => ({ status: 500, code: 'InternalError' })));
    const error = await rejection(store.putObject('k', new Uint8Array([1])));
    expect(UnknownOutcomeError.is(error)).toBe(true);
    expect(server.requests).toHaveLength(4);
  });

  it('gives up on a throttled DELETE after maxAttempts with IoError (nothing was applied)', async () => {
    server.respond(...Array.from({ length: 4 }, () => ({ status: 503, code: 'SlowDown' })));
    const error = await rejection(store.deleteObject('k'));
    expect(IoError.is(error)).toBe(true);
    expect((error as IoError).message).toMatch(/SlowDown.*4 attempts/);
    expect(server.requests).toHaveLength(4);
  });

  it('retries a GET whose body was cut short', async () => {
    server.respond(
      { cutBodyAfter: 3, totalLength: 10 },
      ok({ 'content-length': '2' }, new Uint8Array([7, 8])),
    );
    const got = await store.getObject('k');
    expect([...got.body]).toEqual([7, 8]);
    expect(server.requests).toHaveLength(2);
  });

  it('fails a GET with IoError after maxAttempts of 5xx', async () => {
    server.respond(...Array.from({ length: 4 }, () => ({ status: 500, code: 'InternalError' })));
    const error = await rejection(store.getObject('k'));
    expect(IoError.is(error)).toBe(true);
    expect(server.requests).toHaveLength(4);
  });

  it('maps NoSuchKey to NotFoundError and 403 to IoError, neither retried', async () => {
    server.respond({ status: 404, code: 'NoSuchKey' }, { status: 403, code: 'AccessDenied' });
    expect(NotFoundError.is(await rejection(store.getObject('k')))).toBe(true);
    const denied = await rejection(store.getObject('k'));
    expect(IoError.is(denied)).toBe(true);
    expect((denied as IoError).message).toMatch(/403 AccessDenied/);
    expect(server.requests).toHaveLength(2);
  });

  it('does not report a missing bucket as a missing key', async () => {
    server.respond({ status: 404, code: 'NoSuchBucket' });
    const error = await rejection(store.getObject('k'));
    expect(IoError.is(error)).toBe(true);
    expect(NotFoundError.is(error)).toBe(false);
  });

  it('sends a ranged GET as Range: bytes=a-b and reads the total size from Content-Range', async () => {
    server.respond({
      status: 206,
      headers: { etag: '"e"', 'content-range': 'bytes 5-7/42', 'content-length': '3' },
      body: new Uint8Array([1, 2, 3]),
    });
    const got = await store.getObject('k', { range: { start: 5, length: 3 } });
    expect(server.requests[0]?.headers.range).toBe('bytes=5-7');
    expect(got.size).toBe(42);
    expect([...got.body]).toEqual([1, 2, 3]);
  });

  it('answers a range past the end (416) with no bytes and the HEAD info', async () => {
    server.respond({ status: 416, code: 'InvalidRange' }, ok({ 'content-length': '4' }));
    const got = await store.getObject('k', { range: { start: 10, length: 3 } });
    expect(got.body.length).toBe(0);
    expect(got.size).toBe(4);
    expect(server.requests.map((r) => r.method)).toEqual(['GET', 'HEAD']);
  });

  it('refuses bad input with typed errors before any request', async () => {
    expect(InvalidPathError.is(await rejection(store.putObject('', new Uint8Array(0))))).toBe(true);
    expect(InvalidPathError.is(await rejection(store.getObject('x'.repeat(1100))))).toBe(true);
    const meta = await rejection(store.putObject('k', new Uint8Array(0), { metadata: { owner: 'é' } }));
    expect(EncodeError.is(meta)).toBe(true);
    expect(
      EncodeError.is(
        await rejection(store.putObject('k', new Uint8Array(0), { metadata: { 'bad key': 'v' } })),
      ),
    ).toBe(true);
    await expect(store.listObjects({ maxKeys: 1001 })).rejects.toBeInstanceOf(RangeError);
    await expect(store.getObject('k', { range: { start: -1, length: 1 } })).rejects.toBeInstanceOf(
      RangeError,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('refuses an S3Client that retries on its own', async () => {
    const client = new S3Client({
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'a', secretAccessKey: 's' },
    });
    const withSdkRetries = new S3ObjectStore({ client, bucket: 'b' });
    expect(InvalidConfigError.is(await rejection(withSdkRetries.headObject('k')))).toBe(true);
    expect(server.requests).toHaveLength(0);
    client.destroy();
  });

  it('accepts an S3Client built with maxAttempts: 1', async () => {
    const client = new S3Client({
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: 'a', secretAccessKey: 's' },
    });
    server.respond(ok({ 'content-length': '5' }));
    expect((await new S3ObjectStore({ client, bucket: 'b' }).headObject('k')).size).toBe(5);
    client.destroy();
  });
});

describe('backoffDelayMs', () => {
  it('is full jitter below an exponentially growing, capped ceiling', () => {
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 50, maxDelayMs: 2000 };
    expect(backoffDelayMs(policy, 0, () => 0.999)).toBe(49);
    expect(backoffDelayMs(policy, 3, () => 0.999)).toBe(399);
    expect(backoffDelayMs(policy, 20, () => 0.999)).toBe(1998);
    expect(backoffDelayMs(policy, 5, () => 0)).toBe(0);
  });
});
