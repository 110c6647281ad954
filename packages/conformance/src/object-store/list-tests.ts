import { describe, expect, it } from 'vitest';
import { bytes, pattern } from '../directory/harness.js';
import { forEachLimited, listAll, type StoreFixture, utf8Sorted } from './harness.js';

/** LIST: byte order, prefix, delimiter and common prefixes, StartAfter, pagination. */
export function describeListing(fixture: StoreFixture): void {
  describe('LIST', () => {
    it('is empty on an empty store, with no continuation token', () =>
      fixture.run(async (store) => {
        const page = await store.listObjects({});
        expect(page.objects).toEqual([]);
        expect(page.commonPrefixes).toEqual([]);
        expect(page.nextContinuationToken).toBeUndefined();
      }));

    it('returns keys in ascending UTF-8 byte order, with size and ETag', () =>
      fixture.run(async (store) => {
        // UTF-16 order would put U+FF21 after the surrogate pair of U+1F600; UTF-8 byte order before it.
        const keys = [
          'b',
          'B',
          'a',
          'a-b',
          'a/b',
          'a0',
          'z~',
          'ä',
          '\uFF21',
          '😀',
          'seg-00000000000000000010',
          'seg-00000000000000000009',
        ];
        const infos = new Map<string, { etag: string; size: number }>();
        await forEachLimited(keys, 4, async (key) => {
          const put = await store.putObject(key, pattern(key.length * 3, key.length));
          infos.set(key, { etag: put.etag, size: put.size });
        });
        const page = await store.listObjects({});
        expect(page.objects.map((o) => o.key)).toEqual(utf8Sorted(keys));
        for (const object of page.objects) {
          expect({ etag: object.etag, size: object.size }, object.key).toEqual(infos.get(object.key));
        }
      }));

    it('filters by prefix', () =>
      fixture.run(async (store) => {
        for (const key of ['wal/1', 'wal/2', 'walrus', 'wa', 'checkpoint/1'])
          await store.putObject(key, bytes(key));
        expect((await store.listObjects({ prefix: 'wal/' })).objects.map((o) => o.key)).toEqual([
          'wal/1',
          'wal/2',
        ]);
        expect((await store.listObjects({ prefix: 'wal' })).objects.map((o) => o.key)).toEqual([
          'wal/1',
          'wal/2',
          'walrus',
        ]);
        expect((await store.listObjects({ prefix: 'x' })).objects).toEqual([]);
      }));

    it('groups keys by delimiter into common prefixes', () =>
      fixture.run(async (store) => {
        for (const key of ['a/1', 'a/2', 'a/b/3', 'b', 'c/4', 'c/5/6'])
          await store.putObject(key, bytes(key));
        const top = await store.listObjects({ delimiter: '/' });
        expect(top.objects.map((o) => o.key)).toEqual(['b']);
        expect(top.commonPrefixes).toEqual(['a/', 'c/']);
        const inA = await store.listObjects({ prefix: 'a/', delimiter: '/' });
        expect(inA.objects.map((o) => o.key)).toEqual(['a/1', 'a/2']);
        expect(inA.commonPrefixes).toEqual(['a/b/']);
        const flat = await store.listObjects({ prefix: 'a/' });
        expect(flat.objects.map((o) => o.key)).toEqual(['a/1', 'a/2', 'a/b/3']);
        expect(flat.commonPrefixes).toEqual([]);
      }));

    it('starts after a key (exclusive)', () =>
      fixture.run(async (store) => {
        for (const key of ['k1', 'k2', 'k3', 'k4']) await store.putObject(key, bytes(key));
        expect((await store.listObjects({ startAfter: 'k2' })).objects.map((o) => o.key)).toEqual([
          'k3',
          'k4',
        ]);
        expect((await store.listObjects({ startAfter: 'k25' })).objects.map((o) => o.key)).toEqual([
          'k3',
          'k4',
        ]);
        expect((await store.listObjects({ startAfter: 'k4' })).objects).toEqual([]);
        expect((await store.listObjects({ startAfter: 'a' })).objects.map((o) => o.key)).toEqual([
          'k1',
          'k2',
          'k3',
          'k4',
        ]);
      }));

    it('pages with maxKeys and continuation tokens, each key exactly once', () =>
      fixture.run(async (store) => {
        const keys = Array.from({ length: 7 }, (_, i) => `p/${String(i).padStart(3, '0')}`);
        await forEachLimited(keys, 4, (key) => store.putObject(key, bytes(key)).then(() => undefined));
        await store.putObject('q', bytes('outside the prefix'));
        const first = await store.listObjects({ prefix: 'p/', maxKeys: 3 });
        expect(first.objects.map((o) => o.key)).toEqual(keys.slice(0, 3));
        expect(first.nextContinuationToken).toBeTypeOf('string');
        const { keys: all, pages } = await listAll(store, { prefix: 'p/', maxKeys: 3 });
        expect(all).toEqual(keys);
        expect(pages).toBe(3);
        const exact = await listAll(store, { prefix: 'p/', maxKeys: 7 });
        expect(exact.keys).toEqual(keys);
      }));

    it('counts common prefixes towards maxKeys when paging with a delimiter', () =>
      fixture.run(async (store) => {
        const keys = ['d1/x', 'd2/x', 'd3/x', 'f1', 'f2'];
        for (const key of keys) await store.putObject(key, bytes(key));
        const seenPrefixes: string[] = [];
        const seenKeys: string[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const page = await store.listObjects({
            delimiter: '/',
            maxKeys: 2,
            ...(token === undefined ? {} : { continuationToken: token }),
          });
          expect(page.objects.length + page.commonPrefixes.length).toBeLessThanOrEqual(2);
          seenPrefixes.push(...page.commonPrefixes);
          seenKeys.push(...page.objects.map((o) => o.key));
          token = page.nextContinuationToken;
          pages++;
        } while (token !== undefined && pages < 10);
        expect(seenPrefixes).toEqual(['d1/', 'd2/', 'd3/']);
        expect(seenKeys).toEqual(['f1', 'f2']);
      }));

    it('pages past 1,000 keys (the S3 page limit)', { timeout: 180_000 }, () =>
      fixture.run(async (store) => {
        const keys = Array.from({ length: 1001 }, (_, i) => `many/${String(i).padStart(5, '0')}`);
        await forEachLimited(keys, 16, (key) =>
          store.putObject(key, new Uint8Array(0)).then(() => undefined),
        );
        const first = await store.listObjects({ prefix: 'many/' });
        expect(first.objects.length).toBe(1000);
        expect(first.nextContinuationToken).toBeTypeOf('string');
        const { keys: all, pages } = await listAll(store, { prefix: 'many/' });
        expect(pages).toBe(2);
        expect(all).toEqual(keys);
        await forEachLimited(keys, 16, (key) => store.deleteObject(key));
        expect((await store.listObjects({ prefix: 'many/' })).objects).toEqual([]);
      }),
    );
  });
}
