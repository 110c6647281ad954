import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  assertSafePath,
  baseName,
  InvalidPathError,
  isSafePath,
  joinPath,
  parentPath,
} from '../src/index.js';

/** A segment `assertSafePath` accepts anywhere: no `/`, `\`, NUL; not `.`/`..`; not empty. */
const segment = fc
  .string({ minLength: 1, maxLength: 12, unit: 'grapheme' })
  .filter((s) => !/[/\\\0]/.test(s) && s !== '.' && s !== '..');
/** Safe paths: the first segment must also not start like a drive (`C:`). */
const safePath = fc
  .array(segment, { minLength: 1, maxLength: 6 })
  .filter((segments) => !/^[A-Za-z]:/.test(segments[0]!))
  .map((segments) => ({ segments, path: segments.join('/') }));

function rejects(path: unknown, options?: { allowRoot?: boolean }): InvalidPathError {
  try {
    assertSafePath(path, options);
  } catch (error) {
    expect(InvalidPathError.is(error)).toBe(true);
    return error as InvalidPathError;
  }
  throw new Error(`accepted ${JSON.stringify(path)}`);
}

describe('assertSafePath', () => {
  it('accepts every path made of safe segments', () => {
    fc.assert(
      fc.property(safePath, ({ path }) => {
        assertSafePath(path);
        expect(isSafePath(path)).toBe(true);
      }),
    );
  });

  it('accepts typical names', () => {
    for (const path of [
      'a',
      'wal/wal_00000000000000000001.log',
      '.lock',
      'wal/.lock',
      'a..b',
      '...',
      'ab:c',
      'é/ü',
    ]) {
      expect(isSafePath(path)).toBe(true);
    }
  });

  it('rejects a path with a `.`, `..` or empty segment at any position', () => {
    fc.assert(
      fc.property(
        fc.array(segment, { minLength: 0, maxLength: 4 }),
        fc.array(segment, { minLength: 0, maxLength: 4 }),
        fc.constantFrom('.', '..', ''),
        (before, after, bad) => {
          const path = [...before, bad, ...after].join('/');
          fc.pre(path !== ''); // '' is the root case, tested separately
          rejects(path);
          expect(isSafePath(path)).toBe(false);
        },
      ),
    );
  });

  it('rejects NUL and backslash anywhere, absolute paths and drives', () => {
    fc.assert(
      fc.property(safePath, fc.nat(), fc.constantFrom('\0', '\\'), ({ path }, at, bad) => {
        const i = at % (path.length + 1);
        rejects(path.slice(0, i) + bad + path.slice(i));
      }),
    );
    fc.assert(fc.property(safePath, ({ path }) => void rejects(`/${path}`)));
    for (const path of ['C:', 'c:/x', 'Z:foo', '//', '/', 'a/', 'a//b', './a', 'a/..', '..']) rejects(path);
  });

  it('names the bad path in the error, with NUL made printable', () => {
    expect(rejects('a/../b').path).toBe('a/../b');
    expect(rejects('a\0b').path).toBe('a\\0b');
  });

  it('rejects non-strings with InvalidPathError (not TypeError)', () => {
    for (const value of [undefined, null, 1, {}, ['a']]) rejects(value);
  });

  it("accepts '' only with allowRoot", () => {
    rejects('');
    assertSafePath('', { allowRoot: true });
    expect(isSafePath('', { allowRoot: true })).toBe(true);
    rejects('/', { allowRoot: true });
  });
});

describe('joinPath, parentPath, baseName', () => {
  it('split a safe path into parent and base name and join them back', () => {
    fc.assert(
      fc.property(safePath, ({ segments, path }) => {
        expect(baseName(path)).toBe(segments.at(-1));
        expect(parentPath(path)).toBe(segments.slice(0, -1).join('/'));
        expect(joinPath(parentPath(path), baseName(path))).toBe(path);
        expect(joinPath(...segments)).toBe(path);
      }),
    );
  });

  it('skip empty segments when joining', () => {
    expect(joinPath('', 'a')).toBe('a');
    expect(joinPath('a', '', 'b')).toBe('a/b');
    expect(joinPath()).toBe('');
    expect(parentPath('a')).toBe('');
    expect(baseName('a')).toBe('a');
    expect(parentPath('wal/wal_1.log')).toBe('wal');
  });
});
