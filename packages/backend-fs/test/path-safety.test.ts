import { mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidPathError } from '@durability/core';
import { describe, expect, it } from 'vitest';
import type { FsCall } from '../src/index.js';
import { FsDirectory } from '../src/index.js';
import { bytes, namesOnDisk, tempDir, text, tracingOps } from './helpers.js';

const UNSAFE = ['..', '../x', 'a/../b', '.', 'a/./b', '/abs', 'a\\b', 'a\0b', 'a//b', 'a/', 'C:/x'];

/** Every path-taking method, called with `path` in each path position. */
function everyMethod(dir: FsDirectory, path: string): [string, () => Promise<unknown>][] {
  const b = bytes('x');
  return [
    ['createFile', () => dir.createFile(path)],
    ['appendFile', () => dir.appendFile(path)],
    ['createExclusive', () => dir.createExclusive(path, b)],
    ['readFile', () => dir.readFile(path)],
    ['read', () => dir.read(path, 0, 1)],
    ['openReader', () => dir.openReader(path)],
    ['size', () => dir.size(path)],
    ['exists', () => dir.exists(path)],
    ['delete', () => dir.delete(path)],
    ['list', () => dir.list(path)],
    ['mkdirp', () => dir.mkdirp(path)],
    ['truncate', () => dir.truncate(path, 0)],
    ['rename from', () => dir.rename(path, 'ok')],
    ['rename to', () => dir.rename('ok', path)],
    ['atomicWrite', () => dir.atomicWrite(path, b)],
    ['atomicWriteDurable', () => dir.atomicWriteDurable(path, b)],
    ['atomicRenameDurable from', () => dir.atomicRenameDurable(path, 'ok')],
    ['atomicRenameDurable to', () => dir.atomicRenameDurable('ok', path)],
    ['syncFile', () => dir.syncFile(path)],
    ['syncParentDir', () => dir.syncParentDir(path)],
  ];
}

async function expectInvalidPath(name: string, action: () => Promise<unknown>): Promise<void> {
  const outcome = await action().then(
    () => 'resolved',
    (e: unknown) => e,
  );
  expect(InvalidPathError.is(outcome), `${name}: ${String(outcome)}`).toBe(true);
}

describe('unsafe paths', () => {
  it('are refused with InvalidPathError before any file-system call, creating nothing', async () => {
    const parent = await tempDir();
    const root = join(parent, 'root');
    const calls: FsCall[] = [];
    const dir = new FsDirectory(root, { ops: tracingOps(calls) });
    for (const path of UNSAFE) {
      for (const [name, action] of everyMethod(dir, path))
        await expectInvalidPath(`${name}(${path})`, action);
      expect(() => dir.filePath(path)).toThrow(InvalidPathError);
    }
    expect(calls).toEqual([]);
    expect(await namesOnDisk(parent)).toEqual([]);
  });

  it("accept the root '' only for list, mkdirp, exists and filePath", async () => {
    const root = join(await tempDir(), 'root');
    const dir = new FsDirectory(root);
    for (const [name, action] of everyMethod(dir, '')) {
      if (name === 'list' || name === 'mkdirp' || name === 'exists') continue;
      await expectInvalidPath(`${name}('')`, action);
    }
    expect(await dir.exists('')).toBe(true);
    expect(await dir.list('')).toEqual([]);
    expect(dir.filePath('')).toBe(root);
    await dir.mkdirp('');
    expect(await namesOnDisk(root)).toEqual([]);
  });
});

describe.skipIf(process.platform === 'win32')('symbolic links', () => {
  /** root/{outdir -> outside, outfile -> outside/secret, dangling -> outside/nothing, ok}; outside/secret. */
  async function fixture() {
    const base = await tempDir();
    const root = join(base, 'root');
    const outside = join(base, 'outside');
    await mkdir(root);
    await mkdir(outside);
    await writeFile(join(outside, 'secret'), 'secret');
    await writeFile(join(root, 'ok'), 'ok');
    await symlink(outside, join(root, 'outdir'));
    await symlink(join(outside, 'secret'), join(root, 'outfile'));
    await symlink(join(outside, 'nothing'), join(root, 'dangling'));
    return { root, outside, dir: new FsDirectory(root) };
  }

  it('that leave the root are refused for read, write, list, delete, exists and rename', async () => {
    const { root, outside, dir } = await fixture();
    const escaping = [
      'outdir',
      'outdir/secret',
      'outdir/new',
      'outdir/missing/deeper/file',
      'outfile',
      'outfile/child',
      'dangling',
      'dangling/child',
    ];
    for (const path of escaping) {
      for (const [name, action] of everyMethod(dir, path))
        await expectInvalidPath(`${name}(${path})`, action);
    }
    expect(await namesOnDisk(outside)).toEqual(['secret']);
    expect(await readFile(join(outside, 'secret'), 'utf8')).toBe('secret');
    expect(await namesOnDisk(root)).toEqual(['dangling', 'ok', 'outdir', 'outfile']);
    expect(await readlink(join(root, 'outfile'))).toBe(join(outside, 'secret'));
  });

  it('that stay inside the root are followed', async () => {
    const { root, dir } = await fixture();
    await mkdir(join(root, 'real'));
    await symlink('real', join(root, 'alias'));
    await symlink('ok', join(root, 'ok-link'));
    await symlink('../real', join(root, 'real', 'up'));

    const writer = await dir.createFile('alias/f');
    await writer.write(bytes('through the alias'));
    await writer.close();
    expect(text(await dir.readFile('real/f'))).toBe('through the alias');
    expect(text(await dir.readFile('alias/up/f'))).toBe('through the alias');
    expect(await dir.list('alias')).toEqual(['f', 'up']);
    expect(text(await dir.readFile('ok-link'))).toBe('ok');
    expect(await dir.exists('alias/f')).toBe(true);
    await dir.atomicWrite('alias/g', bytes('g'));
    await dir.rename('alias/g', 'alias/h');
    expect(await dir.list('real')).toEqual(['f', 'h', 'up']);
    await dir.delete('ok-link');
    expect(await namesOnDisk(root)).not.toContain('ok-link');
    expect(await namesOnDisk(root)).toContain('ok');
  });

  it('work when the root itself is reached through a link', async () => {
    const base = await tempDir();
    await mkdir(join(base, 'target'));
    await symlink(join(base, 'target'), join(base, 'root-link'));
    const dir = new FsDirectory(join(base, 'root-link'));
    await dir.atomicWrite('wal/a', bytes('a'));
    expect(await dir.list('wal')).toEqual(['a']);
    expect(await namesOnDisk(join(base, 'target', 'wal'))).toEqual(['a']);
  });
});
