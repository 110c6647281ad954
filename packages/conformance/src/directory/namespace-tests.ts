import { IoError } from '@durability/core';
import { describe, expect, it } from 'vitest';
import { bytes, expectBuiltinRejection, expectRejection, type Fixture, text, writeFile } from './harness.js';

/** `exists`, `delete`, `list`, `mkdirp`, `truncate` and `rename`. */
export function describeNamespace(fixture: Fixture): void {
  describe('exists', () => {
    it('is true for files, for created and implied directories, and for the root', () =>
      fixture.run(async (dir) => {
        expect(await dir.exists('')).toBe(true);
        await writeFile(dir, 'a/b/c.log', bytes('x'));
        await dir.mkdirp('made/here');
        for (const path of ['a', 'a/b', 'a/b/c.log', 'made', 'made/here']) {
          expect(await dir.exists(path), path).toBe(true);
        }
        expect(await dir.exists('')).toBe(true);
      }));

    it('is false for what does not exist, including prefixes and extensions of existing names', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'ab/cd.log', bytes('x'));
        for (const path of ['a', 'abc', 'ab/c', 'ab/cd', 'ab/cd.log.tmp', 'ab/cd.log/x', 'zz/cd.log']) {
          expect(await dir.exists(path), path).toBe(false);
        }
      }));
  });

  describe('delete', () => {
    it('removes a file', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'd/a.log', bytes('x'));
        await writeFile(dir, 'd/b.log', bytes('y'));
        await dir.delete('d/a.log');
        expect(await dir.exists('d/a.log')).toBe(false);
        expect(await dir.list('d')).toEqual(['b.log']);
        expect(text(await dir.readFile('d/b.log'))).toBe('y');
      }));

    it('succeeds, and changes nothing, when nothing is there (idempotent)', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'keep.log', bytes('x'));
        await dir.delete('missing.log');
        await dir.delete('missing/deeper/file.log');
        await dir.delete('keep.log/inside');
        await dir.delete('keep.log');
        await dir.delete('keep.log');
        expect(await dir.list('')).toEqual([]);
      }));

    it('removes a directory and everything under it, and nothing beside it', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'd/a.log', bytes('1'));
        await writeFile(dir, 'd/sub/b.log', bytes('2'));
        await writeFile(dir, 'd/sub/deeper/c.log', bytes('3'));
        await dir.mkdirp('d/empty');
        await writeFile(dir, 'd2/keep.log', bytes('4'));
        await writeFile(dir, 'd.log', bytes('5'));
        await dir.delete('d');
        for (const path of ['d', 'd/a.log', 'd/sub', 'd/sub/b.log', 'd/sub/deeper/c.log', 'd/empty']) {
          expect(await dir.exists(path), path).toBe(false);
        }
        expect(await dir.list('')).toEqual(['d.log', 'd2']);
        expect(await dir.list('d')).toEqual([]);
        expect(text(await dir.readFile('d2/keep.log'))).toBe('4');
        expect(text(await dir.readFile('d.log'))).toBe('5');
      }));
  });

  describe('list', () => {
    it('returns names sorted by code unit', () =>
      fixture.run(async (dir) => {
        // No two names differ only by case, so case-insensitive file systems list the same set.
        const names = [
          'b',
          'A',
          '10',
          '9',
          'a-b',
          'a_b',
          'a.b',
          '~t',
          'Q',
          '.lock',
          'wal_2.log',
          'wal_10.log',
        ];
        for (const name of names) await writeFile(dir, `d/${name}`, bytes(name));
        expect(await dir.list('d')).toEqual([...names].sort());
      }));

    it('returns the names, not paths, of direct children only, files and directories alike', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'd/x.log', bytes('x'));
        await writeFile(dir, 'd/sub/y.log', bytes('y'));
        await writeFile(dir, 'd/sub/deeper/z.log', bytes('z'));
        await dir.mkdirp('d/empty');
        expect(await dir.list('d')).toEqual(['empty', 'sub', 'x.log']);
        expect(await dir.list('d/sub')).toEqual(['deeper', 'y.log']);
        expect(await dir.list('d/empty')).toEqual([]);
      }));

    it("lists the root as ''", () =>
      fixture.run(async (dir) => {
        expect(await dir.list('')).toEqual([]);
        await writeFile(dir, 'top.log', bytes('x'));
        await writeFile(dir, 'wal/a.log', bytes('y'));
        expect(await dir.list('')).toEqual(['top.log', 'wal']);
      }));

    it('lists a directory that does not exist as empty', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'd/x.log', bytes('x'));
        expect(await dir.list('missing')).toEqual([]);
        expect(await dir.list('missing/deeper')).toEqual([]);
        expect(await dir.list('d/missing')).toEqual([]);
      }));

    it('lists a file as empty (a path that is not a directory)', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'd/x.log', bytes('x'));
        expect(await dir.list('d/x.log')).toEqual([]);
        expect(text(await dir.readFile('d/x.log'))).toBe('x');
      }));
  });

  describe('mkdirp', () => {
    it('creates the directory and its missing ancestors', () =>
      fixture.run(async (dir) => {
        await dir.mkdirp('a/b/c');
        expect(await dir.exists('a')).toBe(true);
        expect(await dir.exists('a/b')).toBe(true);
        expect(await dir.exists('a/b/c')).toBe(true);
        expect(await dir.list('')).toEqual(['a']);
        expect(await dir.list('a/b')).toEqual(['c']);
        expect(await dir.list('a/b/c')).toEqual([]);
      }));

    it("is idempotent, keeps what is already inside, and accepts the root ''", () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'a/b/keep.log', bytes('x'));
        await dir.mkdirp('a/b');
        await dir.mkdirp('a/b');
        await dir.mkdirp('a');
        await dir.mkdirp('');
        expect(await dir.list('a/b')).toEqual(['keep.log']);
        expect(text(await dir.readFile('a/b/keep.log'))).toBe('x');
      }));

    it('rejects with IoError when a file is in the way, and leaves the file alone', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'a/f.log', bytes('x'));
        await expectRejection(() => dir.mkdirp('a/f.log'), IoError, 'mkdirp over a file');
        expect(text(await dir.readFile('a/f.log'))).toBe('x');
      }));
  });

  describe('truncate', () => {
    it('shrinks the file to the given length', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'a.log', bytes('hello world'));
        await dir.truncate('a.log', 5);
        expect(await dir.size('a.log')).toBe(5);
        expect(text(await dir.readFile('a.log'))).toBe('hello');
        await dir.truncate('a.log', 5);
        expect(text(await dir.readFile('a.log'))).toBe('hello');
        await dir.truncate('a.log', 0);
        expect(await dir.size('a.log')).toBe(0);
      }));

    it('lets appendFile continue at the new end', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'a.log', bytes('abcdefgh'));
        await dir.truncate('a.log', 3);
        const writer = await dir.appendFile('a.log');
        expect(writer.length).toBe(3);
        await writer.write(bytes('XY'));
        await writer.close();
        expect(text(await dir.readFile('a.log'))).toBe('abcXY');
      }));

    it('rejects a length greater than the size with RangeError and changes nothing', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'a.log', bytes('abc'));
        await expectBuiltinRejection(() => dir.truncate('a.log', 4), RangeError, 'truncate to 4 of 3 bytes');
        await expectBuiltinRejection(() => dir.truncate('a.log', 1000), RangeError, 'truncate to 1000 of 3');
        expect(text(await dir.readFile('a.log'))).toBe('abc');
      }));
  });

  describe('rename', () => {
    it('moves a file', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'a.tmp', bytes('abc'));
        await dir.rename('a.tmp', 'a.log');
        expect(await dir.exists('a.tmp')).toBe(false);
        expect(text(await dir.readFile('a.log'))).toBe('abc');
        expect(await dir.list('')).toEqual(['a.log']);
      }));

    it('replaces an existing target', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'ckpt/current', bytes('old content, longer'));
        await writeFile(dir, 'ckpt/next.tmp', bytes('new'));
        await dir.rename('ckpt/next.tmp', 'ckpt/current');
        expect(text(await dir.readFile('ckpt/current'))).toBe('new');
        expect(await dir.list('ckpt')).toEqual(['current']);
      }));

    it('moves a file into another existing directory', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'staging/a.log', bytes('abc'));
        await dir.mkdirp('final');
        await dir.rename('staging/a.log', 'final/a.log');
        expect(await dir.list('staging')).toEqual([]);
        expect(await dir.list('final')).toEqual(['a.log']);
        expect(text(await dir.readFile('final/a.log'))).toBe('abc');
      }));

    it("creates the target's missing parents", () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'staging/a.log', bytes('abc'));
        await dir.rename('staging/a.log', 'new/deeper/a.log');
        expect(await dir.exists('staging/a.log')).toBe(false);
        expect(text(await dir.readFile('new/deeper/a.log'))).toBe('abc');
      }));
  });
}
