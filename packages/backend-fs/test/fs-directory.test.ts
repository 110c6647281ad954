import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AlreadyExistsError, guardDirectory, isDurableDirectory, NotFoundError } from '@durability/core';
import { describe, expect, it } from 'vitest';
import type { FsOps } from '../src/index.js';
import { FsDirectory, interceptFsOps, isTempFileName, nodeFsOps } from '../src/index.js';
import { bytes, namesOnDisk, tempDir, text } from './helpers.js';

describe('FsDirectory', () => {
  it('promises every capability and is a DurableDirectory', () => {
    const dir = new FsDirectory('/nonexistent/durability-root');
    expect(dir.capabilities).toEqual({
      durableSync: true,
      atomicRename: true,
      nativeAppend: true,
      filePaths: true,
      crossProcessLock: true,
    });
    expect(Object.isFrozen(dir.capabilities)).toBe(true);
    expect(isDurableDirectory(dir)).toBe(true);
  });

  it('does no I/O in the constructor and creates the root on demand', async () => {
    const throwing = interceptFsOps(nodeFsOps, () => Promise.reject(new Error('no I/O expected')));
    expect(() => new FsDirectory('/nowhere', { ops: throwing })).not.toThrow();
    expect(() => new FsDirectory('')).toThrow(TypeError);

    const root = join(await tempDir(), 'not', 'yet');
    const dir = new FsDirectory(root);
    expect(await dir.exists('')).toBe(true);
    expect(await dir.list('')).toEqual([]);
    expect(await dir.exists('x')).toBe(false);
    await dir.atomicWrite('x', bytes('1'));
    expect((await stat(root)).isDirectory()).toBe(true);
    expect(dir.filePath('x')).toBe(join(root, 'x'));
    expect(dir.root).toBe(root);
    expect(await readFile(dir.filePath('x'), 'utf8')).toBe('1');
  });

  it('makes written and flushed bytes readable by a second FsDirectory on the same root', async () => {
    const root = await tempDir();
    const writer = await new FsDirectory(root).appendFile('wal/1.log');
    await writer.write(bytes('first '));
    await writer.write(bytes('second'));
    await writer.flush();
    const other = new FsDirectory(root);
    expect(text(await other.readFile('wal/1.log'))).toBe('first second');
    expect(await other.size('wal/1.log')).toBe(12);
    const appender = await other.appendFile('wal/1.log');
    expect(appender.length).toBe(12);
    await appender.close();
    await writer.close();
  });

  it('createFile truncates, appendFile appends, and both create missing parents', async () => {
    const dir = new FsDirectory(await tempDir());
    const first = await dir.createFile('a/b/f');
    await first.write(bytes('hello world'));
    await first.close();
    const append = await dir.appendFile('a/b/f');
    expect(append.length).toBe(11);
    await append.write(bytes('!'));
    expect(append.length).toBe(12);
    await append.close();
    expect(text(await dir.readFile('a/b/f'))).toBe('hello world!');
    const truncating = await dir.createFile('a/b/f');
    expect(truncating.length).toBe(0);
    await truncating.close();
    expect(await dir.size('a/b/f')).toBe(0);
    const fresh = await dir.appendFile('c/new');
    expect(fresh.length).toBe(0);
    await fresh.close();
    expect(await dir.list('')).toEqual(['a', 'c']);
  });

  it('readers see the length at open, read until the length or the end, and close idempotently', async () => {
    const dir = new FsDirectory(await tempDir());
    await dir.atomicWrite('f', bytes('0123456789'));
    const reader = await dir.openReader('f');
    expect(reader.length).toBe(10);
    expect(text(await reader.read(2, 3))).toBe('234');
    expect(text(await reader.read(8, 100))).toBe('89');
    expect(await reader.read(10, 5)).toEqual(new Uint8Array(0));
    expect(await reader.read(50, 5)).toEqual(new Uint8Array(0));
    const appender = await dir.appendFile('f');
    await appender.write(bytes('abc'));
    await appender.close();
    expect(text(await reader.read(8, 100))).toBe('89');
    await reader.close();
    await reader.close();
    await expect(reader.read(0, 1)).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(text(await dir.read('f', 9, 100))).toBe('9abc');
    await expect(dir.read('f', -1, 1)).rejects.toBeInstanceOf(RangeError);
    await expect(dir.openReader('missing')).rejects.toSatisfy((e) => NotFoundError.is(e));
  });

  it('lists sorted names of direct children, and a missing directory as empty', async () => {
    const dir = new FsDirectory(await tempDir());
    for (const name of ['b', 'a', 'B', 'wal_10', 'wal_9', 'sub/deep']) await dir.atomicWrite(name, bytes(''));
    expect(await dir.list('')).toEqual(['B', 'a', 'b', 'sub', 'wal_10', 'wal_9']);
    expect(await dir.list('sub')).toEqual(['deep']);
    expect(await dir.list('missing/too')).toEqual([]);
    await dir.mkdirp('m/n/o');
    expect(await dir.list('m/n')).toEqual(['o']);
    expect(await dir.exists('m/n/o')).toBe(true);
  });

  it('deletes files and directories recursively, idempotently', async () => {
    const dir = new FsDirectory(await tempDir());
    await dir.atomicWrite('d/e/f', bytes('x'));
    await dir.atomicWrite('g', bytes('x'));
    await dir.delete('d');
    await dir.delete('d');
    await dir.delete('g');
    await dir.delete('never/was');
    expect(await dir.list('')).toEqual([]);
  });

  it('truncate shrinks, refuses to grow with RangeError, and reports a missing file', async () => {
    const dir = new FsDirectory(await tempDir());
    await dir.atomicWrite('f', bytes('0123456789'));
    await dir.truncate('f', 4);
    expect(text(await dir.readFile('f'))).toBe('0123');
    await dir.truncate('f', 4);
    await expect(dir.truncate('f', 5)).rejects.toBeInstanceOf(RangeError);
    await expect(dir.truncate('missing', 0)).rejects.toSatisfy((e) => NotFoundError.is(e));
    expect(text(await dir.readFile('f'))).toBe('0123');
  });

  it('rename replaces the target and creates its parents; a missing source creates nothing', async () => {
    const root = await tempDir();
    const dir = new FsDirectory(root);
    await dir.atomicWrite('a', bytes('A'));
    await dir.atomicWrite('b', bytes('B'));
    await dir.rename('a', 'b');
    expect(text(await dir.readFile('b'))).toBe('A');
    await dir.rename('b', 'x/y/z');
    expect(text(await dir.readFile('x/y/z'))).toBe('A');
    await expect(dir.rename('missing', 'q/r')).rejects.toSatisfy((e) => NotFoundError.is(e));
    expect(await namesOnDisk(root)).toEqual(['x']);
  });

  it('createExclusive: of 16 concurrent callers exactly one wins, with its full content', async () => {
    const root = await tempDir();
    const dirs = [new FsDirectory(root), new FsDirectory(root)];
    const results = await Promise.allSettled(
      Array.from({ length: 16 }, (_, i) => dirs[i % 2]!.createExclusive('wal/.lock', bytes(`owner-${i}`))),
    );
    const winners = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(AlreadyExistsError.is(r.reason)).toBe(true);
    }
    expect(text(await dirs[0]!.readFile('wal/.lock'))).toBe(`owner-${winners[0]}`);
    expect(await namesOnDisk(join(root, 'wal'))).toEqual(['.lock']);
  });

  it('works behind core’s guard', async () => {
    const dir = guardDirectory(new FsDirectory(await tempDir()));
    await dir.atomicWriteDurable('ckpt/1', bytes('state'));
    await dir.atomicRenameDurable('ckpt/1', 'ckpt/2');
    await dir.syncParentDir('ckpt/2');
    await dir.syncFile('ckpt/2');
    expect(text(await dir.readFile('ckpt/2'))).toBe('state');
    expect(isTempFileName('2.durability-tmp-0123456789abcdef')).toBe(true);
    expect(isTempFileName('2')).toBe(false);
  });

  it('refuses a directory where a file is expected', async () => {
    const dir = new FsDirectory(await tempDir());
    await dir.mkdirp('d');
    await expect(dir.createFile('d')).rejects.toMatchObject({ code: 'IO', errno: 'EISDIR' });
    await expect(dir.openReader('d')).rejects.toMatchObject({ code: 'IO', errno: 'EISDIR' });
  });

  it('uses the injected ops for every call', async () => {
    let calls = 0;
    const ops: FsOps = interceptFsOps(nodeFsOps, (_call, proceed) => {
      calls++;
      return proceed();
    });
    const dir = new FsDirectory(await tempDir(), { ops });
    await dir.atomicWrite('f', bytes('x'));
    expect(calls).toBeGreaterThan(5);
  });
});
