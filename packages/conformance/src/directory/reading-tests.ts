import type { Directory } from '@durability/core';
import { NotFoundError } from '@durability/core';
import { describe, expect, it } from 'vitest';
import { bytes, expectBytes, expectRejection, type Fixture, pattern, text, writeFile } from './harness.js';

/** `readFile`, `read`, `openReader`/`FileReader`, `size`, and `NotFoundError` for a missing file. */
export function describeReading(fixture: Fixture): void {
  describe('readFile', () => {
    it('returns the whole file', () =>
      fixture.run(async (dir) => {
        const content = pattern(5000, 1);
        await writeFile(dir, 'a.bin', content);
        expectBytes(await dir.readFile('a.bin'), content);
      }));

    it('returns bytes the caller owns', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'a.log', bytes('abc'));
        const first = await dir.readFile('a.log');
        first.fill(0);
        expect(text(await dir.readFile('a.log'))).toBe('abc');
      }));
  });

  describe('read', () => {
    it('reads a range inside the file', () =>
      fixture.run(async (dir) => {
        const content = pattern(1000, 2);
        await writeFile(dir, 'a.bin', content);
        expectBytes(await dir.read('a.bin', 0, 10), content.subarray(0, 10));
        expectBytes(await dir.read('a.bin', 123, 456), content.subarray(123, 579));
        expectBytes(await dir.read('a.bin', 0, 1000), content);
      }));

    it('is shorter only at the end of the file', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'a.log', bytes('hello'));
        expect(text(await dir.read('a.log', 3, 10))).toBe('lo');
        expect(text(await dir.read('a.log', 0, 6))).toBe('hello');
      }));

    it('is empty at or past the end of the file, and for a zero length', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'a.log', bytes('hello'));
        await writeFile(dir, 'empty.log', new Uint8Array(0));
        expectBytes(await dir.read('a.log', 5, 10), new Uint8Array(0));
        expectBytes(await dir.read('a.log', 100, 10), new Uint8Array(0));
        expectBytes(await dir.read('a.log', 2, 0), new Uint8Array(0));
        expectBytes(await dir.read('empty.log', 0, 10), new Uint8Array(0));
      }));

    it('returns bytes the caller owns', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'a.log', bytes('abcdef'));
        (await dir.read('a.log', 1, 3)).fill(0);
        expect(text(await dir.readFile('a.log'))).toBe('abcdef');
      }));
  });

  describe('openReader', () => {
    it('reports its path and the file length at open', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'sub/a.log', bytes('hello'));
        const reader = await dir.openReader('sub/a.log');
        expect(reader.path).toBe('sub/a.log');
        expect(reader.length).toBe(5);
        await reader.close();
      }));

    it('reads ranges: shorter only at the end, empty at or past it', () =>
      fixture.run(async (dir) => {
        const content = pattern(3000, 4);
        await writeFile(dir, 'a.bin', content);
        const reader = await dir.openReader('a.bin');
        expectBytes(await reader.read(0, 1000), content.subarray(0, 1000));
        expectBytes(await reader.read(1000, 1500), content.subarray(1000, 2500));
        expectBytes(await reader.read(2500, 1000), content.subarray(2500));
        expectBytes(await reader.read(3000, 10), new Uint8Array(0));
        expectBytes(await reader.read(5000, 10), new Uint8Array(0));
        expectBytes(await reader.read(10, 0), new Uint8Array(0));
        await reader.close();
      }));

    it('keeps the length it had at open while the file grows', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'a.log', bytes('abc'));
        const reader = await dir.openReader('a.log');
        const writer = await dir.appendFile('a.log');
        await writer.write(bytes('defgh'));
        await writer.close();
        expect(reader.length).toBe(3);
        expect(text(await reader.read(0, 3))).toBe('abc');
        await reader.close();
        const later = await dir.openReader('a.log');
        expect(later.length).toBe(8);
        await later.close();
      }));

    it('reads an empty file as empty', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'empty.log', new Uint8Array(0));
        const reader = await dir.openReader('empty.log');
        expect(reader.length).toBe(0);
        expectBytes(await reader.read(0, 16), new Uint8Array(0));
        await reader.close();
      }));

    it('returns bytes the caller owns', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'a.log', bytes('abcdef'));
        const reader = await dir.openReader('a.log');
        (await reader.read(0, 6)).fill(0);
        expect(text(await reader.read(0, 6))).toBe('abcdef');
        await reader.close();
        expect(text(await dir.readFile('a.log'))).toBe('abcdef');
      }));

    it('close is idempotent', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'a.log', bytes('abc'));
        const reader = await dir.openReader('a.log');
        await reader.close();
        await reader.close();
      }));
  });

  describe('size', () => {
    it('is the file length in bytes, following every flush', () =>
      fixture.run(async (dir) => {
        const writer = await dir.createFile('a.log');
        await writer.flush();
        expect(await dir.size('a.log')).toBe(0);
        await writer.write(pattern(100, 5));
        await writer.flush();
        expect(await dir.size('a.log')).toBe(100);
        await writer.write(pattern(23, 6));
        await writer.close();
        expect(await dir.size('a.log')).toBe(123);
      }));
  });

  describe('a missing file', () => {
    const operations: [string, (dir: Directory, path: string) => Promise<unknown>][] = [
      ['readFile', (dir, path) => dir.readFile(path)],
      ['read', (dir, path) => dir.read(path, 0, 1)],
      ['openReader', (dir, path) => dir.openReader(path)],
      ['size', (dir, path) => dir.size(path)],
      ['truncate', (dir, path) => dir.truncate(path, 0)],
      ['rename', (dir, path) => dir.rename(path, 'moved.log')],
    ];
    for (const [operation, call] of operations) {
      it(`${operation} rejects with NotFoundError`, () =>
        fixture.run(async (dir) => {
          await writeFile(dir, 'present/a.log', bytes('abc'));
          for (const path of ['missing.log', 'present/missing.log', 'absent/dir/missing.log']) {
            await expectRejection(() => call(dir, path), NotFoundError, `${operation}('${path}')`);
          }
          expect(await dir.exists('moved.log')).toBe(false);
          expect(await dir.list('')).toEqual(['present']);
        }));
    }
  });
}
