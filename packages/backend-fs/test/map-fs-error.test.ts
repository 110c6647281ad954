import { join } from 'node:path';
import {
  AlreadyExistsError,
  DurabilityError,
  InvalidPathError,
  IoError,
  NotFoundError,
} from '@durability/core';
import { describe, expect, it } from 'vitest';
import type { FsCall } from '../src/index.js';
import { FsDirectory, interceptFsOps, nodeFsOps } from '../src/index.js';
import { mapFsError } from '../src/map-fs-error.js';
import { bytes, errnoError, failingOps, tempDir } from './helpers.js';

const IO_ERRNOS = [
  'EIO',
  'ENOSPC',
  'EDQUOT',
  'EROFS',
  'EACCES',
  'EPERM',
  'EISDIR',
  'ENOTDIR',
  'EMFILE',
  'EBUSY',
];

describe('mapFsError', () => {
  it('maps ENOENT to NotFoundError and EEXIST to AlreadyExistsError, keeping path and cause', () => {
    const missing = errnoError('ENOENT', 'open');
    const notFound = mapFsError(missing, 'readFile', 'wal/a.log');
    expect(notFound).toBeInstanceOf(NotFoundError);
    expect(notFound).toMatchObject({ code: 'NOT_FOUND', path: 'wal/a.log', cause: missing });

    const existing = errnoError('EEXIST', 'link');
    const exists = mapFsError(existing, 'createExclusive', 'wal/.lock');
    expect(exists).toBeInstanceOf(AlreadyExistsError);
    expect(exists).toMatchObject({ code: 'ALREADY_EXISTS', path: 'wal/.lock', cause: existing });
  });

  it.each(IO_ERRNOS)('maps %s to IoError with errno, syscall, path and cause', (code) => {
    const original = errnoError(code, 'fsync');
    const mapped = mapFsError(original, 'sync', 'wal/b.log');
    expect(mapped).toBeInstanceOf(IoError);
    expect(mapped).toMatchObject({
      code: 'IO',
      errno: code,
      syscall: 'fsync',
      path: 'wal/b.log',
      cause: original,
    });
    expect(mapped.message).toContain('sync failed');
  });

  it('maps an error without errno, and a non-error value, to IoError', () => {
    expect(mapFsError(new Error('boom'), 'write', 'x')).toMatchObject({
      code: 'IO',
      errno: undefined,
      path: 'x',
    });
    expect(mapFsError('boom', 'write', 'x')).toMatchObject({ code: 'IO', cause: 'boom' });
  });

  it('passes typed errors and programmer errors through unchanged', () => {
    const invalid = new InvalidPathError('nope');
    const range = new RangeError('too long');
    const type = new TypeError('not bytes');
    expect(mapFsError(invalid, 'op', 'p')).toBe(invalid);
    expect(mapFsError(range, 'op', 'p')).toBe(range);
    expect(mapFsError(type, 'op', 'p')).toBe(type);
  });
});

describe('errno mapping through FsDirectory', () => {
  it('reports real ENOENT, EEXIST and ENOTDIR/EISDIR as typed errors with the relative path', async () => {
    const dir = new FsDirectory(await tempDir());
    await expect(dir.readFile('missing')).rejects.toSatisfy(
      (e) => NotFoundError.is(e) && (e as NotFoundError).path === 'missing',
    );
    await expect(dir.truncate('missing', 0)).rejects.toSatisfy((e) => NotFoundError.is(e));
    await dir.createExclusive('lock', bytes('1'));
    await expect(dir.createExclusive('lock', bytes('2'))).rejects.toSatisfy((e) => AlreadyExistsError.is(e));
    await expect(dir.readFile('lock/child')).rejects.toMatchObject({ code: 'IO', errno: 'ENOTDIR' });
    // A file where a directory is needed is ENOTDIR, not AlreadyExists, however deep the file is.
    await expect(dir.createFile('lock/child')).rejects.toMatchObject({ code: 'IO', errno: 'ENOTDIR' });
    await expect(dir.atomicWrite('lock/a/b', bytes('x'))).rejects.toMatchObject({
      code: 'IO',
      errno: 'ENOTDIR',
    });
    await expect(dir.mkdirp('lock')).rejects.toMatchObject({ code: 'IO', errno: 'ENOTDIR' });
    expect(await dir.exists('lock/child')).toBe(false);
    await dir.delete('lock/child');
    expect(await dir.list('lock/child')).toEqual([]);
    expect(await dir.list('lock')).toEqual([]); // a file lists as empty (the contract)
    await dir.mkdirp('d');
    await expect(dir.readFile('d')).rejects.toMatchObject({ code: 'IO', errno: 'EISDIR', path: 'd' });
    await expect(dir.size('d')).rejects.toMatchObject({ code: 'IO', errno: 'EISDIR' });
  });

  it.each(['EIO', 'ENOSPC', 'EDQUOT', 'EROFS'])(
    'reports an injected %s from fsync as IoError',
    async (code) => {
      const root = await tempDir();
      const ops = interceptFsOps(nodeFsOps, (call, proceed) =>
        call.op === 'fh.datasync' ? Promise.reject(errnoError(code, 'fdatasync', call.path)) : proceed(),
      );
      const writer = await new FsDirectory(root, { ops }).createFile('wal/seg.log');
      await writer.write(bytes('abc'));
      const error = await writer.sync().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(IoError);
      expect(error).toMatchObject({ errno: code, syscall: 'fdatasync', path: 'wal/seg.log' });
      await writer.close();
      expect(join(root, 'wal', 'seg.log')).toBe(new FsDirectory(root).filePath('wal/seg.log'));
    },
  );

  it('lets no raw error escape any method, wherever the failure is injected', async () => {
    const root = await tempDir();
    // Each scenario runs once clean to count its calls, then once per call with that call failing.
    const scenarios: [string, (dir: FsDirectory) => Promise<unknown>][] = [
      ['createFile', (d) => d.createFile('a/f').then((w) => w.close())],
      [
        'appendFile+write+sync',
        (d) =>
          d.appendFile('a/g').then(async (w) => {
            await w.write(bytes('xyz'));
            await w.sync();
            await w.close();
          }),
      ],
      ['createExclusive', (d) => d.createExclusive(`x/${Math.random()}`, bytes('lock'))],
      ['readFile', (d) => d.readFile('seed')],
      ['read', (d) => d.read('seed', 1, 2)],
      [
        'openReader',
        (d) =>
          d.openReader('seed').then(async (r) => {
            await r.read(0, 3);
            await r.close();
          }),
      ],
      ['size', (d) => d.size('seed')],
      ['exists', (d) => d.exists('seed')],
      ['list', (d) => d.list('')],
      ['mkdirp', (d) => d.mkdirp(`m/${Math.random()}`)],
      ['truncate', (d) => d.truncate('seed', 4)],
      ['rename', (d) => d.rename('seed', 'seed')],
      ['atomicWrite', (d) => d.atomicWrite('aw', bytes('new'))],
      ['atomicWriteDurable', (d) => d.atomicWriteDurable('n/awd', bytes('new'))],
      ['atomicRenameDurable', (d) => d.atomicRenameDurable('seed', 'seed')],
      ['syncFile', (d) => d.syncFile('seed')],
      ['syncParentDir', (d) => d.syncParentDir('seed')],
      ['delete', (d) => d.delete(`gone-${Math.random()}`)],
    ];
    let injected = 0;
    for (const [name, scenario] of scenarios) {
      await new FsDirectory(root).atomicWrite('seed', bytes('seed-bytes'));
      const clean: FsCall[] = [];
      await scenario(new FsDirectory(root, { ops: failingOps(-1, 'EIO', clean) }));
      for (let failAt = 0; failAt < clean.length; failAt++) {
        await new FsDirectory(root).atomicWrite('seed', bytes('seed-bytes'));
        const outcome = await scenario(new FsDirectory(root, { ops: failingOps(failAt) })).then(
          () => 'resolved',
          (e: unknown) => e,
        );
        if (outcome !== 'resolved') {
          expect(DurabilityError.is(outcome), `${name}, call ${failAt}: ${String(outcome)}`).toBe(true);
          injected++;
        }
      }
    }
    expect(injected).toBeGreaterThan(50);
  });
});
