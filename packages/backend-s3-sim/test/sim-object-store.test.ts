import { createHash } from 'node:crypto';
import { IoError, NotFoundError, PreconditionFailedError, UnknownOutcomeError } from '@durability/core';
import { describe, expect, it } from 'vitest';
import { compareUtf8, SimObjectStore } from '../src/index.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('SimObjectStore: S3 semantics', () => {
  it('PUT/GET/HEAD/DELETE with MD5 ETags, metadata and read-after-write consistency', async () => {
    const store = new SimObjectStore();
    const info = await store.putObject('a/b', bytes('hello'), { metadata: { 'X-Owner': 'me' } });
    expect(info.etag).toBe(createHash('md5').update('hello').digest('hex'));
    expect((await store.headObject('a/b')).metadata).toEqual({ 'x-owner': 'me' });
    expect(text((await store.getObject('a/b')).body)).toBe('hello');
    await store.deleteObject('a/b');
    await store.deleteObject('a/b');
    expect(NotFoundError.is(await failure(store.getObject('a/b')))).toBe(true);
    expect(NotFoundError.is(await failure(store.headObject('a/b')))).toBe(true);
  });

  it('If-None-Match and If-Match fail with 412 and change nothing', async () => {
    const store = new SimObjectStore();
    const first = await store.putObject('k', bytes('one'), { ifNoneMatch: '*' });
    expect(
      PreconditionFailedError.is(await failure(store.putObject('k', bytes('two'), { ifNoneMatch: '*' }))),
    ).toBe(true);
    expect(
      PreconditionFailedError.is(await failure(store.putObject('k', bytes('two'), { ifMatch: 'beef' }))),
    ).toBe(true);
    expect(
      PreconditionFailedError.is(
        await failure(store.putObject('missing', bytes('x'), { ifMatch: first.etag })),
      ),
    ).toBe(true);
    await store.putObject('k', bytes('three'), { ifMatch: first.etag });
    expect(text((await store.getObject('k')).body)).toBe('three');
    expect(store.stats.preconditionFailures).toBe(3);
  });

  it('of two conditional PUTs on one key in flight at once, the later loses with 409', async () => {
    const store = new SimObjectStore({ latencyMs: 5 });
    const [a, b] = await Promise.allSettled([
      store.putObject('lock', bytes('a'), { ifNoneMatch: '*' }),
      store.putObject('lock', bytes('b'), { ifNoneMatch: '*' }),
    ]);
    expect(a.status).toBe('fulfilled');
    expect(b.status).toBe('rejected');
    const reason = (b as PromiseRejectedResult).reason as Error;
    expect(PreconditionFailedError.is(reason)).toBe(true);
    expect(reason.message).toContain('409');
    expect(text((await store.getObject('lock')).body)).toBe('a');
    expect(store.stats.conflicts).toBe(1);
  });

  it('ranged GETs are clipped at the end; a range at or past it, or of length 0, reads as empty', async () => {
    const store = new SimObjectStore();
    await store.putObject('k', bytes('0123456789'));
    expect(text((await store.getObject('k', { range: { start: 2, length: 3 } })).body)).toBe('234');
    const tail = await store.getObject('k', { range: { start: 8, length: 100 } });
    expect(text(tail.body)).toBe('89');
    expect(tail.size).toBe(10);
    for (const range of [
      { start: 10, length: 1 },
      { start: 12, length: 3 },
      { start: 3, length: 0 },
    ]) {
      const empty = await store.getObject('k', { range });
      expect([empty.body.length, empty.size]).toEqual([0, 10]);
    }
    await expect(store.getObject('k', { range: { start: -1, length: 1 } })).rejects.toThrow(RangeError);
  });

  it('LIST is in UTF-8 byte order, paginated, with delimiter grouping', async () => {
    const store = new SimObjectStore();
    const keys = ['p/\u{10000}', 'p/\uffff', 'p/a', 'p/b/1', 'p/b/2', 'p/c', 'q'];
    for (const key of keys) await store.putObject(key, bytes(key));
    expect(compareUtf8('\uffff', '\u{10000}')).toBeLessThan(0);
    expect('\uffff' < '\u{10000}').toBe(false); // code-unit order differs: the reason for compareUtf8
    const all = await store.listObjects({ prefix: 'p/' });
    expect(all.objects.map((o) => o.key)).toEqual([
      'p/a',
      'p/b/1',
      'p/b/2',
      'p/c',
      'p/\uffff',
      'p/\u{10000}',
    ]);
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await store.listObjects({
        prefix: 'p/',
        delimiter: '/',
        maxKeys: 2,
        continuationToken: token,
      });
      expect(page.objects.length + page.commonPrefixes.length).toBeLessThanOrEqual(2);
      seen.push(...page.objects.map((o) => o.key), ...page.commonPrefixes);
      token = page.nextContinuationToken;
    } while (token);
    expect(seen).toEqual(['p/a', 'p/b/', 'p/c', 'p/\uffff', 'p/\u{10000}']);
    expect(IoError.is(await failure(store.listObjects({ continuationToken: 'bogus' })))).toBe(true);
  });

  it('paginates at 1,000 keys at most', async () => {
    const store = new SimObjectStore();
    for (let i = 0; i < 1500; i++) await store.putObject(`k${String(i).padStart(5, '0')}`, bytes('x'));
    const first = await store.listObjects({ maxKeys: 5000 });
    expect(first.objects).toHaveLength(1000);
    const second = await store.listObjects({ continuationToken: first.nextContinuationToken });
    expect(second.objects).toHaveLength(500);
    expect(second.nextContinuationToken).toBeUndefined();
  });
});

describe('SimObjectStore: faults, counters, snapshots', () => {
  it('unknown outcomes are applied (or lost) as configured, and seeded runs repeat exactly', async () => {
    const outcomes = async (seed: number) => {
      const store = new SimObjectStore({ seed, unknownOutcomeProbability: 0.3, lostRequestProbability: 0.2 });
      const seen: string[] = [];
      for (let i = 0; i < 40; i++) {
        const error = await store.putObject(`k${i}`, bytes('x')).then(
          () => undefined,
          (e: unknown) => e,
        );
        const applied = store.keys().includes(`k${i}`);
        seen.push(
          error === undefined ? 'ok' : `${UnknownOutcomeError.is(error) ? 'unknown' : 'other'}:${applied}`,
        );
      }
      return seen;
    };
    const run = await outcomes(7);
    expect(run).toEqual(await outcomes(7));
    expect(run).toContain('unknown:true');
    expect(run).toContain('unknown:false');
    expect(run).not.toContain('ok:false');
  });

  it('throttling is a typed IoError (503) that changes nothing', async () => {
    const store = new SimObjectStore({ throttleProbability: 1 });
    const error = (await failure(store.putObject('k', bytes('x')))) as IoError;
    expect(IoError.is(error)).toBe(true);
    expect(error.errno).toBe('SlowDown');
    store.setFaults({ throttleProbability: 0 });
    expect(store.keys()).toEqual([]);
    expect(store.stats.throttled).toBe(1);
  });

  it('counts requests and bytes; resetStats starts over', async () => {
    const store = new SimObjectStore();
    await store.putObject('k', bytes('12345'));
    await store.getObject('k', { range: { start: 1, length: 2 } });
    await store.headObject('k');
    await store.listObjects({});
    await store.deleteObject('k');
    expect(store.stats).toMatchObject({ bytesIn: 5, bytesOut: 2 });
    expect(store.stats.requests).toEqual({ put: 1, get: 1, head: 1, list: 1, delete: 1, total: 5 });
    store.resetStats();
    expect(store.stats.requests.total).toBe(0);
  });

  it('snapshots, clones and logged effects rebuild the state after any prefix of requests', async () => {
    const store = new SimObjectStore({ recordRequests: true });
    await store.putObject('a', bytes('1'));
    const snapshot = store.snapshot();
    await store.client('other').putObject('b', bytes('2'));
    await store.deleteObject('a');
    expect(store.requestLog.map((r) => `${r.client} ${r.kind} ${r.key}`)).toEqual([
      'default put a',
      'other put b',
      'default delete a',
    ]);
    expect(SimObjectStore.fromSnapshot(snapshot).keys()).toEqual(['a']);
    expect(SimObjectStore.fromRequests(store.requestLog.slice(0, 2)).keys()).toEqual(['a', 'b']);
    const clone = store.clone();
    await clone.putObject('c', bytes('3'));
    expect(store.keys()).toEqual(['b']);
    expect(clone.keys()).toEqual(['b', 'c']);
  });
});
