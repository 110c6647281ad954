import { NotFoundError } from '@durability/core';
import { describe, expect, it } from 'vitest';
import { bytes, expectBytes, expectRejection, pattern, text } from '../directory/harness.js';
import type { StoreFixture } from './harness.js';

/** PUT, GET, HEAD, DELETE, ranged GET and user metadata. */
export function describeObjects(fixture: StoreFixture): void {
  describe('put / get / head / delete', () => {
    it('round-trips bytes, size and ETag', () =>
      fixture.run(async (store) => {
        const content = pattern(3000, 1);
        const put = await store.putObject('a/b.bin', content);
        expect(put.size).toBe(3000);
        expect(put.etag, 'ETag is unquoted').not.toMatch(/^"|"$/);
        const got = await store.getObject('a/b.bin');
        expectBytes(got.body, content);
        expect(got.size).toBe(3000);
        expect(got.etag).toBe(put.etag);
        const head = await store.headObject('a/b.bin');
        expect(head.size).toBe(3000);
        expect(head.etag).toBe(put.etag);
      }));

    it('stores an empty object', () =>
      fixture.run(async (store) => {
        await store.putObject('empty', new Uint8Array(0));
        const got = await store.getObject('empty');
        expect(got.body.length).toBe(0);
        expect(got.size).toBe(0);
        expect((await store.headObject('empty')).size).toBe(0);
      }));

    it('replaces an object whole, with a new ETag', () =>
      fixture.run(async (store) => {
        const first = await store.putObject('k', bytes('first version'));
        const second = await store.putObject('k', bytes('2nd'));
        expect(second.etag).not.toBe(first.etag);
        expect(text((await store.getObject('k')).body)).toBe('2nd');
        expect((await store.headObject('k')).etag).toBe(second.etag);
      }));

    it('keeps what was PUT even when the caller reuses its buffer', () =>
      fixture.run(async (store) => {
        const buffer = bytes('original');
        await store.putObject('k', buffer);
        buffer.fill(0x21);
        expect(text((await store.getObject('k')).body)).toBe('original');
      }));

    it('keeps keys that differ only in case or by a trailing slash apart', () =>
      fixture.run(async (store) => {
        await store.putObject('dir/Key', bytes('upper'));
        await store.putObject('dir/key', bytes('lower'));
        await store.putObject('dir/key/', bytes('slash'));
        expect(text((await store.getObject('dir/Key')).body)).toBe('upper');
        expect(text((await store.getObject('dir/key')).body)).toBe('lower');
        expect(text((await store.getObject('dir/key/')).body)).toBe('slash');
      }));

    it('stores keys with non-ASCII characters', () =>
      fixture.run(async (store) => {
        const key = 'wal/ä €/😀 segment';
        await store.putObject(key, bytes('unicode'));
        expect(text((await store.getObject(key)).body)).toBe('unicode');
        expect((await store.listObjects({ prefix: 'wal/' })).objects.map((o) => o.key)).toEqual([key]);
      }));

    it('GET and HEAD of a missing key fail with NotFoundError naming the key', () =>
      fixture.run(async (store) => {
        const get = await expectRejection(() => store.getObject('no/such'), NotFoundError, 'getObject');
        expect((get as NotFoundError).path).toBe('no/such');
        const head = await expectRejection(() => store.headObject('no/such'), NotFoundError, 'headObject');
        expect((head as NotFoundError).path).toBe('no/such');
        await expectRejection(
          () => store.getObject('no/such', { range: { start: 0, length: 10 } }),
          NotFoundError,
          'ranged getObject',
        );
      }));

    it('DELETE removes the key and is idempotent', () =>
      fixture.run(async (store) => {
        await store.putObject('gone', bytes('x'));
        await store.putObject('kept', bytes('y'));
        await store.deleteObject('gone');
        await expectRejection(() => store.headObject('gone'), NotFoundError, 'HEAD after DELETE');
        await store.deleteObject('gone');
        await store.deleteObject('never-existed');
        expect(text((await store.getObject('kept')).body)).toBe('y');
        expect((await store.listObjects({})).objects.map((o) => o.key)).toEqual(['kept']);
      }));
  });

  describe('ranged GET', () => {
    it('returns exactly the range, with the whole object size and ETag', () =>
      fixture.run(async (store) => {
        const content = pattern(10_000, 2);
        const put = await store.putObject('r', content);
        for (const [start, length] of [
          [0, 1],
          [0, 10_000],
          [1, 9_999],
          [4096, 100],
          [9_999, 1],
        ] as const) {
          const got = await store.getObject('r', { range: { start, length } });
          expectBytes(got.body, content.subarray(start, start + length), `range ${start}+${length}`);
          expect(got.size, `size for range ${start}+${length}`).toBe(10_000);
          expect(got.etag).toBe(put.etag);
        }
      }));

    it('clips a range at the end of the object', () =>
      fixture.run(async (store) => {
        const content = pattern(100, 3);
        await store.putObject('r', content);
        expectBytes(
          (await store.getObject('r', { range: { start: 90, length: 50 } })).body,
          content.subarray(90),
        );
        expectBytes((await store.getObject('r', { range: { start: 0, length: 1_000_000 } })).body, content);
        for (const start of [100, 101, 5_000]) {
          const past = await store.getObject('r', { range: { start, length: 10 } });
          expect(past.body.length, `range starting at ${start}`).toBe(0);
          expect(past.size).toBe(100);
        }
      }));

    it('returns no bytes for an empty range, and for any range of an empty object', () =>
      fixture.run(async (store) => {
        await store.putObject('r', pattern(10, 4));
        expect((await store.getObject('r', { range: { start: 3, length: 0 } })).body.length).toBe(0);
        await store.putObject('empty', new Uint8Array(0));
        const got = await store.getObject('empty', { range: { start: 0, length: 10 } });
        expect(got.body.length).toBe(0);
        expect(got.size).toBe(0);
      }));
  });

  describe('user metadata', () => {
    it('round-trips through PUT, HEAD and GET with lower-case keys', () =>
      fixture.run(async (store) => {
        const put = await store.putObject('m', bytes('x'), { metadata: { owner: 'writer-7', Epoch: '12' } });
        expect(put.metadata).toEqual({ owner: 'writer-7', epoch: '12' });
        expect((await store.headObject('m')).metadata).toEqual({ owner: 'writer-7', epoch: '12' });
        expect((await store.getObject('m')).metadata).toEqual({ owner: 'writer-7', epoch: '12' });
        expect((await store.getObject('m', { range: { start: 0, length: 1 } })).metadata).toEqual({
          owner: 'writer-7',
          epoch: '12',
        });
      }));

    it('is replaced, not merged, by the next PUT', () =>
      fixture.run(async (store) => {
        await store.putObject('m', bytes('x'), { metadata: { a: '1', b: '2' } });
        await store.putObject('m', bytes('y'), { metadata: { c: '3' } });
        expect((await store.headObject('m')).metadata).toEqual({ c: '3' });
        await store.putObject('m', bytes('z'));
        expect((await store.headObject('m')).metadata).toEqual({});
      }));
  });
}
