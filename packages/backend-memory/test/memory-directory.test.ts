import {
  AlreadyExistsError,
  guardDirectory,
  InvalidPathError,
  InvalidStateError,
  IoError,
  isDurableDirectory,
  NotFoundError,
  NotSupportedError,
} from '@durability/core';
import { describe, expect, it } from 'vitest';
import { MEMORY_CAPABILITIES, MemoryDirectory } from '../src/index.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string) => encoder.encode(text);
const text = (data: Uint8Array) => decoder.decode(data);

async function writeFile(dir: MemoryDirectory, path: string, content: string): Promise<void> {
  const writer = await dir.createFile(path);
  await writer.write(bytes(content));
  await writer.close();
}

/** Every entry and file content, for "nothing changed" checks. */
async function snapshot(dir: MemoryDirectory, at = ''): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  for (const name of await dir.list(at)) {
    const path = at === '' ? name : `${at}/${name}`;
    const isFile = await dir.size(path).then(
      () => true,
      () => false,
    );
    if (isFile) out[path] = text(await dir.readFile(path));
    else Object.assign(out, { [path]: null }, await snapshot(dir, path));
  }
  return out;
}

async function expectErrno(action: Promise<unknown>, errno: string): Promise<void> {
  const error = await action.then(
    () => expect.fail(`resolved, expected ${errno}`),
    (e: unknown) => e,
  );
  expect(IoError.is(error), String(error)).toBe(true);
  expect((error as IoError).errno).toBe(errno);
}

describe('MemoryDirectory', () => {
  describe('capabilities and durability', () => {
    it('promises atomic renames and native appends, and no stable storage, OS paths or cross-process lock', () => {
      const dir = new MemoryDirectory();
      expect(dir.capabilities).toEqual({
        durableSync: false,
        atomicRename: true,
        nativeAppend: true,
        filePaths: false,
        crossProcessLock: false,
      });
      expect(dir.capabilities).toBe(MEMORY_CAPABILITIES);
      expect(Object.isFrozen(dir.capabilities)).toBe(true);
      expect(isDurableDirectory(dir)).toBe(false);
    });

    it('refuses every durable operation with NotSupportedError, after validating its paths', async () => {
      const dir = new MemoryDirectory();
      await writeFile(dir, 'a.log', 'abc');
      for (const action of [
        dir.syncFile('a.log'),
        dir.syncParentDir('a.log'),
        dir.atomicWriteDurable('a.log', bytes('x')),
        dir.atomicRenameDurable('a.log', 'b.log'),
      ]) {
        expect(NotSupportedError.is(await action.catch((e: unknown) => e))).toBe(true);
      }
      expect(InvalidPathError.is(await dir.syncFile('../a').catch((e: unknown) => e))).toBe(true);
      await expect(dir.atomicWriteDurable('a.log', 'x' as never)).rejects.toThrow(TypeError);
      expect(await snapshot(dir)).toEqual({ 'a.log': 'abc' });
    });

    it('is refused durable operations through the core guard too', async () => {
      const guarded = guardDirectory(new MemoryDirectory());
      expect(NotSupportedError.is(await guarded.syncFile('a.log').catch((e: unknown) => e))).toBe(true);
    });

    it('resolves FileWriter.sync as an ordering barrier; filePath is undefined, also for the root', async () => {
      const dir = new MemoryDirectory();
      const writer = await dir.createFile('a.log');
      await writer.write(bytes('abc'));
      await writer.sync();
      await writer.close();
      expect(text(await dir.readFile('a.log'))).toBe('abc');
      expect(dir.filePath('a.log')).toBeUndefined();
      expect(dir.filePath('')).toBeUndefined();
      expect(() => dir.filePath('a/../b')).toThrow(InvalidPathError);
    });
  });

  describe('clone', () => {
    it('copies every file and directory, empty ones included', async () => {
      const dir = new MemoryDirectory();
      await writeFile(dir, 'wal/a.log', 'a');
      await writeFile(dir, 'top', 't');
      await dir.mkdirp('empty/nested');
      const copy = dir.clone();
      expect(copy).toBeInstanceOf(MemoryDirectory);
      expect(await snapshot(copy)).toEqual(await snapshot(dir));
      expect(await copy.list('empty')).toEqual(['nested']);
    });

    it('is independent in both directions, including under writers opened before the clone', async () => {
      const dir = new MemoryDirectory();
      const writer = await dir.createFile('wal/a.log');
      await writer.write(bytes('before'));
      const copy = dir.clone();
      await writer.write(bytes('-after'));
      await writer.close();
      await writeFile(dir, 'only-original', 'x');
      await dir.delete('wal');
      await writeFile(copy, 'only-copy', 'y');
      await copy.atomicWrite('wal/b.log', bytes('b'));
      expect(await snapshot(dir)).toEqual({ 'only-original': 'x' });
      expect(await snapshot(copy)).toEqual({
        'only-copy': 'y',
        wal: null,
        'wal/a.log': 'before',
        'wal/b.log': 'b',
      });
    });

    it('shares no bytes: appending to or truncating a file in one leaves the other intact', async () => {
      const dir = new MemoryDirectory();
      await writeFile(dir, 'a.log', 'abcdef');
      const copy = dir.clone();
      await dir.truncate('a.log', 2);
      const writer = await dir.appendFile('a.log');
      await writer.write(bytes('ZZZZ'));
      await writer.close();
      expect(text(await dir.readFile('a.log'))).toBe('abZZZZ');
      expect(text(await copy.readFile('a.log'))).toBe('abcdef');
    });

    it('scales to thousands of instances', async () => {
      const base = new MemoryDirectory();
      for (let i = 0; i < 20; i++) await writeFile(base, `wal/wal_${i}.log`, 'x'.repeat(1000));
      const copies = Array.from({ length: 2000 }, () => base.clone());
      await copies[1999]!.truncate('wal/wal_19.log', 1);
      expect(await copies[0]!.size('wal/wal_19.log')).toBe(1000);
      expect(await copies[1999]!.size('wal/wal_19.log')).toBe(1);
    });
  });

  describe('files and directories conflict as on a file system', () => {
    const cases: [string, (dir: MemoryDirectory) => Promise<unknown>, string][] = [
      ['createFile over a directory', (dir) => dir.createFile('d'), 'EISDIR'],
      ['appendFile over a directory', (dir) => dir.appendFile('d'), 'EISDIR'],
      ['createFile under a file', (dir) => dir.createFile('f/x'), 'ENOTDIR'],
      ['appendFile under a file', (dir) => dir.appendFile('f/x/y'), 'ENOTDIR'],
      ['createExclusive under a file', (dir) => dir.createExclusive('f/x', bytes('x')), 'ENOTDIR'],
      ['atomicWrite over a directory', (dir) => dir.atomicWrite('d', bytes('x')), 'EISDIR'],
      ['atomicWrite under a file', (dir) => dir.atomicWrite('f/x', bytes('x')), 'ENOTDIR'],
      ['mkdirp over a file', (dir) => dir.mkdirp('f'), 'EEXIST'],
      ['mkdirp under a file', (dir) => dir.mkdirp('f/x/y'), 'ENOTDIR'],
      ['readFile of a directory', (dir) => dir.readFile('d'), 'EISDIR'],
      ['read of a directory', (dir) => dir.read('d', 0, 1), 'EISDIR'],
      ['openReader of a directory', (dir) => dir.openReader('d'), 'EISDIR'],
      ['size of a directory', (dir) => dir.size('d'), 'EISDIR'],
      ['truncate of a directory', (dir) => dir.truncate('d', 0), 'EISDIR'],
      ['rename a file over a directory', (dir) => dir.rename('f', 'd'), 'EISDIR'],
      ['rename a directory over a file', (dir) => dir.rename('d', 'f'), 'ENOTDIR'],
      ['rename a directory over a non-empty one', (dir) => dir.rename('e', 'd'), 'ENOTEMPTY'],
      ['rename a directory into itself', (dir) => dir.rename('d', 'd/sub/d'), 'EINVAL'],
      ['rename to under a file', (dir) => dir.rename('d/sub/x.log', 'f/x'), 'ENOTDIR'],
    ];
    for (const [name, action, errno] of cases) {
      it(`${name} rejects with IoError ${errno} and changes nothing`, async () => {
        const dir = new MemoryDirectory();
        await writeFile(dir, 'f', 'file');
        await writeFile(dir, 'd/sub/x.log', 'x');
        await writeFile(dir, 'e/y.log', 'y');
        const before = await snapshot(dir);
        await expectErrno(action(dir), errno);
        expect(await snapshot(dir)).toEqual(before);
      });
    }

    it('createExclusive over a directory is AlreadyExistsError', async () => {
      const dir = new MemoryDirectory();
      await dir.mkdirp('d');
      expect(AlreadyExistsError.is(await dir.createExclusive('d', bytes('x')).catch((e: unknown) => e))).toBe(
        true,
      );
    });

    it('a path below a file does not exist: exists is false, list is empty, delete does nothing, reads are NotFound', async () => {
      const dir = new MemoryDirectory();
      await writeFile(dir, 'f', 'file');
      expect(await dir.exists('f/x')).toBe(false);
      expect(await dir.list('f/x')).toEqual([]);
      expect(await dir.list('f')).toEqual([]); // a file lists as empty, as a missing path does
      await dir.delete('f/x');
      for (const action of [
        dir.readFile('f/x'),
        dir.size('f/x'),
        dir.openReader('f/x'),
        dir.rename('f/x', 'g'),
      ]) {
        expect(NotFoundError.is(await action.catch((e: unknown) => e))).toBe(true);
      }
      expect(await snapshot(dir)).toEqual({ f: 'file' });
    });
  });

  describe('rename', () => {
    it('moves a directory with its whole subtree', async () => {
      const dir = new MemoryDirectory();
      await writeFile(dir, 'staging/a.log', 'a');
      await writeFile(dir, 'staging/sub/b.log', 'b');
      await dir.rename('staging', 'final');
      expect(await snapshot(dir)).toEqual({
        final: null,
        'final/a.log': 'a',
        'final/sub': null,
        'final/sub/b.log': 'b',
      });
    });

    it('replaces an empty directory with a directory', async () => {
      const dir = new MemoryDirectory();
      await writeFile(dir, 'a/x', 'x');
      await dir.mkdirp('b');
      await dir.rename('a', 'b');
      expect(await snapshot(dir)).toEqual({ b: null, 'b/x': 'x' });
    });

    it("creates the target's missing parents (the core contract; unlike rename(2))", async () => {
      const dir = new MemoryDirectory();
      await writeFile(dir, 'a.log', 'a');
      await dir.rename('a.log', 'x/y/a.log');
      expect(await snapshot(dir)).toEqual({ x: null, 'x/y': null, 'x/y/a.log': 'a' });
    });

    it('to the same path is a no-op', async () => {
      const dir = new MemoryDirectory();
      await writeFile(dir, 'a.log', 'a');
      await dir.rename('a.log', 'a.log');
      expect(await snapshot(dir)).toEqual({ 'a.log': 'a' });
    });
  });

  describe('open writers and readers hold the file, as descriptors hold an inode', () => {
    it('a writer keeps writing to its file after a rename', async () => {
      const dir = new MemoryDirectory();
      const writer = await dir.createFile('a.tmp');
      await writer.write(bytes('abc'));
      await dir.rename('a.tmp', 'a.log');
      await writer.write(bytes('def'));
      await writer.close();
      expect(await snapshot(dir)).toEqual({ 'a.log': 'abcdef' });
    });

    it("a writer's bytes after delete or atomicWrite reach no one", async () => {
      const dir = new MemoryDirectory();
      const writer = await dir.createFile('a.log');
      await dir.delete('a.log');
      await writer.write(bytes('lost'));
      const other = await dir.createFile('b.log');
      await dir.atomicWrite('b.log', bytes('new'));
      await other.write(bytes('lost'));
      expect(await snapshot(dir)).toEqual({ 'b.log': 'new' });
    });

    it('a createFile writer whose file was truncated under it leaves a zero-filled gap, never stale bytes', async () => {
      const dir = new MemoryDirectory();
      const writer = await dir.createFile('a.log');
      await writer.write(bytes('abcdef'));
      await dir.truncate('a.log', 2);
      await writer.write(bytes('Z'));
      await writer.close();
      expect(await dir.readFile('a.log')).toEqual(new Uint8Array([97, 98, 0, 0, 0, 0, 90]));
    });

    it('an appendFile writer always writes at the current end (O_APPEND)', async () => {
      const dir = new MemoryDirectory();
      await writeFile(dir, 'a.log', 'abcdef');
      const writer = await dir.appendFile('a.log');
      await dir.truncate('a.log', 2);
      await writer.write(bytes('Z'));
      await writer.close();
      expect(text(await dir.readFile('a.log'))).toBe('abZ');
    });

    it('a reader opened before atomicWrite keeps reading the old content', async () => {
      const dir = new MemoryDirectory();
      await dir.atomicWrite('state', bytes('old'));
      const reader = await dir.openReader('state');
      await dir.atomicWrite('state', bytes('new!'));
      expect(text(await reader.read(0, 10))).toBe('old');
      await reader.close();
      expect(InvalidStateError.is(await reader.read(0, 1).catch((e: unknown) => e))).toBe(true);
    });
  });

  describe('arguments', () => {
    it('rejects non-byte data with TypeError and bad counts with RangeError, changing nothing', async () => {
      const dir = new MemoryDirectory();
      await writeFile(dir, 'a.log', 'abc');
      const writer = await dir.appendFile('a.log');
      const reader = await dir.openReader('a.log');
      await expect(writer.write('x' as never)).rejects.toThrow(TypeError);
      await expect(dir.atomicWrite('a.log', [1] as never)).rejects.toThrow(TypeError);
      await expect(dir.createExclusive('b.log', null as never)).rejects.toThrow(TypeError);
      await expect(dir.read('a.log', -1, 1)).rejects.toThrow(RangeError);
      await expect(dir.read('a.log', 0, Number.NaN)).rejects.toThrow(RangeError);
      await expect(reader.read(1.5, 1)).rejects.toThrow(RangeError);
      await expect(dir.truncate('a.log', -1)).rejects.toThrow(RangeError);
      expect(writer.length).toBe(3);
      expect(await snapshot(dir)).toEqual({ 'a.log': 'abc' });
    });

    it('never aliases: written, read and stored bytes are separate copies', async () => {
      const dir = new MemoryDirectory();
      await writeFile(dir, 'a.log', 'abc');
      const first = await dir.readFile('a.log');
      const second = await dir.readFile('a.log');
      expect(first).not.toBe(second);
      expect(first.buffer).not.toBe(second.buffer);
      const ranged = await dir.read('a.log', 0, 3);
      ranged.fill(0);
      first.fill(0);
      expect(text(await dir.readFile('a.log'))).toBe('abc');
    });
  });

  it('appends many small writes in linear time', async () => {
    const dir = new MemoryDirectory();
    const writer = await dir.createFile('wal/a.log');
    const chunk = new Uint8Array(16).fill(1);
    for (let i = 0; i < 50_000; i++) await writer.write(chunk);
    await writer.close();
    expect(await dir.size('wal/a.log')).toBe(800_000);
  });
});
