import type { Directory, DurableDirectory } from '@durability/core';
import { InvalidPathError } from '@durability/core';
import { describe, expect, it } from 'vitest';
import { bytes, expectRejection, expectThrow, type Fixture, text, writeFile } from './harness.js';

/**
 * Paths `assertSafePath` refuses. Several would land on real entries if a backend normalised them instead
 * of refusing them (`seed/../keep.txt` is `keep.txt`, `seed/inner.txt/` is `seed/inner.txt`), so a backend
 * that "helpfully" resolves paths changes storage and the snapshot check catches it.
 */
export const UNSAFE_PATHS: readonly string[] = [
  '',
  '.',
  '..',
  'a/../b',
  'seed/../keep.txt',
  'a/./b',
  '/abs',
  '/keep.txt',
  'a\\b',
  'seed\\inner.txt',
  'a\0b',
  'a//b',
  'seed//inner.txt',
  'a/',
  'seed/inner.txt/',
  'C:/x',
];

interface PathOperation {
  readonly name: string;
  /** `''` is the root here, a valid argument. */
  readonly allowsRoot?: boolean;
  /** Synchronous operations throw; every other one rejects. */
  readonly sync?: boolean;
  readonly durable?: boolean;
  readonly call: (dir: Directory, path: string) => unknown;
}

const payload = bytes('must not be stored');

const OPERATIONS: readonly PathOperation[] = [
  { name: 'createFile', call: (dir, path) => dir.createFile(path) },
  { name: 'appendFile', call: (dir, path) => dir.appendFile(path) },
  { name: 'createExclusive', call: (dir, path) => dir.createExclusive(path, payload) },
  { name: 'readFile', call: (dir, path) => dir.readFile(path) },
  { name: 'read', call: (dir, path) => dir.read(path, 0, 1) },
  { name: 'openReader', call: (dir, path) => dir.openReader(path) },
  { name: 'size', call: (dir, path) => dir.size(path) },
  { name: 'exists', allowsRoot: true, call: (dir, path) => dir.exists(path) },
  { name: 'delete', call: (dir, path) => dir.delete(path) },
  { name: 'list', allowsRoot: true, call: (dir, path) => dir.list(path) },
  { name: 'mkdirp', allowsRoot: true, call: (dir, path) => dir.mkdirp(path) },
  { name: 'truncate', call: (dir, path) => dir.truncate(path, 0) },
  { name: 'rename (from)', call: (dir, path) => dir.rename(path, 'renamed.txt') },
  { name: 'rename (to)', call: (dir, path) => dir.rename('keep.txt', path) },
  { name: 'atomicWrite', call: (dir, path) => dir.atomicWrite(path, payload) },
  { name: 'filePath', allowsRoot: true, sync: true, call: (dir, path) => dir.filePath(path) },
  { name: 'syncFile', durable: true, call: (dir, path) => durable(dir).syncFile(path) },
  { name: 'syncParentDir', durable: true, call: (dir, path) => durable(dir).syncParentDir(path) },
  {
    name: 'atomicWriteDurable',
    durable: true,
    call: (dir, path) => durable(dir).atomicWriteDurable(path, payload),
  },
  {
    name: 'atomicRenameDurable (from)',
    durable: true,
    call: (dir, path) => durable(dir).atomicRenameDurable(path, 'renamed.txt'),
  },
  {
    name: 'atomicRenameDurable (to)',
    durable: true,
    call: (dir, path) => durable(dir).atomicRenameDurable('keep.txt', path),
  },
];

function durable(dir: Directory): DurableDirectory {
  return dir as DurableDirectory;
}

/** True when the backend has the method, whatever its capabilities say. */
function hasMethod(dir: Directory, name: string): boolean {
  return typeof (dir as unknown as Record<string, unknown>)[name.split(' ')[0]!] === 'function';
}

/** Everything the unsafe paths above could reach if a backend resolved them. */
async function snapshot(dir: Directory): Promise<unknown> {
  return {
    root: await dir.list(''),
    seed: await dir.list('seed'),
    keep: text(await dir.readFile('keep.txt')),
    inner: text(await dir.readFile('seed/inner.txt')),
  };
}

/**
 * Every path-taking operation refuses every unsafe path with `InvalidPathError` before touching storage.
 * The durable operations are included whenever the backend has them, whatever `durableSync` says:
 * the path check comes before the capability check.
 */
export function describeUnsafePaths(fixture: Fixture): void {
  describe('unsafe paths', () => {
    for (const operation of OPERATIONS) {
      it(`${operation.name} refuses every unsafe path with InvalidPathError and leaves storage untouched`, () =>
        fixture.run(async (dir) => {
          if (operation.durable && !hasMethod(dir, operation.name)) return;
          await writeFile(dir, 'keep.txt', bytes('keep'));
          await writeFile(dir, 'seed/inner.txt', bytes('inner'));
          const before = await snapshot(dir);
          for (const path of UNSAFE_PATHS) {
            if (path === '' && operation.allowsRoot) continue;
            const what = `${operation.name}(${JSON.stringify(path)})`;
            if (operation.sync) expectThrow(() => operation.call(dir, path), InvalidPathError, what);
            else
              await expectRejection(
                () => operation.call(dir, path) as Promise<unknown>,
                InvalidPathError,
                what,
              );
          }
          expect(await snapshot(dir)).toEqual(before);
        }));
    }
  });
}
