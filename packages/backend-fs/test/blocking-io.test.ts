import fs from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { join } from 'node:path';
import { IoError, NotFoundError, WalWriter, walEntrySchema } from '@durability/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FsCall, FsIoMode, FsOps } from '../src/index.js';
import { blockingFsOps, FsDirectory, interceptFsOps, nodeFsOps } from '../src/index.js';
import { bytes, errnoError, tempDir, text } from './helpers.js';

const MODES: readonly FsIoMode[] = ['async', 'blocking'];
const OPS: readonly [string, FsOps][] = [
  ['nodeFsOps', nodeFsOps],
  ['blockingFsOps', blockingFsOps],
];

/** `ops` recording every call through the seam in `calls`. */
const traced = (ops: FsOps, calls: FsCall[]): FsOps =>
  interceptFsOps(ops, (call, proceed) => {
    calls.push(call);
    return proceed();
  });

/**
 * Runs `body` and reports whether the event loop turned meanwhile: a `setImmediate` callback queued
 * before it runs only if some await inside waited for the loop (a thread-pool completion does).
 */
async function turnsEventLoop(body: () => Promise<void>): Promise<boolean> {
  let turned = false;
  const immediate = setImmediate(() => {
    turned = true;
  });
  try {
    await body();
  } finally {
    clearImmediate(immediate);
  }
  return turned;
}

describe("io: 'blocking' runs every call on the calling thread", () => {
  /** Directory operations of every kind: create, write, fdatasync, directory fsync, atomic write, reads. */
  const workload = async (dir: FsDirectory): Promise<void> => {
    const writer = await dir.createFile('wal/1.log');
    await writer.write(bytes('hello'));
    await writer.sync();
    await writer.close();
    await dir.syncParentDir('wal/1.log');
    await dir.atomicWriteDurable('state.json', bytes('{}'));
    await dir.rename('wal/1.log', 'wal/2.log');
    expect(text(await dir.readFile('wal/2.log'))).toBe('hello');
    expect(await dir.list('wal')).toEqual(['2.log']);
  };

  it('a directory workload completes without an event-loop turn in blocking mode, and not in async mode', async () => {
    const blocking = new FsDirectory(await tempDir(), { io: 'blocking' });
    expect(await turnsEventLoop(() => workload(blocking))).toBe(false);
    // The same check on the default mode must see the loop turn, or it would prove nothing.
    const async = new FsDirectory(await tempDir());
    expect(await turnsEventLoop(() => workload(async))).toBe(true);
    const explicitAsync = new FsDirectory(await tempDir(), { io: 'async' });
    expect(await turnsEventLoop(() => workload(explicitAsync))).toBe(true);
  });

  it('a WAL create, durable appends and close complete without an event-loop turn', async () => {
    const run = async (io: FsIoMode) => {
      const dir = new FsDirectory(await tempDir(), { io });
      return turnsEventLoop(async () => {
        const wal = await WalWriter.create(dir, { schema: walEntrySchema });
        for (let id = 1; id <= 5; id++) {
          await wal.append({ type: 'AddSegment', segmentId: id, docCount: id });
          await wal.flushAndSync();
        }
        await wal.close();
      });
    };
    expect(await run('blocking')).toBe(false);
    expect(await run('async')).toBe(true);
  });
});

describe("io: 'blocking' makes the same durable calls as the default", () => {
  /** Relative `op path [flags]` lines, temp names normalised (they are random). */
  const normalise = (calls: FsCall[], root: string): string[] =>
    calls.map((call) => {
      const rel = (p: unknown) =>
        (String(p).slice(root.length).replace(/^\//, '') || '<root>').replace(/-tmp-[0-9a-f]{16}$/, '-tmp');
      let line = `${call.op} ${rel(call.path)}`;
      if (call.op === 'open') line += ` ${String(call.args[1])}`;
      if (call.op === 'rename' || call.op === 'link') line += ` -> ${rel(call.args[1])}`;
      return line;
    });

  it('a WAL workload with rotations traces the identical call sequence in both modes', async () => {
    const trace = async (ops: FsOps): Promise<string[]> => {
      const root = await tempDir();
      const calls: FsCall[] = [];
      const dir = new FsDirectory(root, { ops: traced(ops, calls) });
      const wal = await WalWriter.create(dir, { schema: walEntrySchema, segmentSizeBytes: 200 });
      for (let id = 1; id <= 12; id++) {
        await wal.append({ type: 'AddSegment', segmentId: id, docCount: id });
        if (id % 3 === 0) await wal.flushAndSync();
      }
      await wal.close();
      await dir.atomicWriteDurable('ckpt/state', bytes('s'));
      await dir.createExclusive('ckpt/lock', bytes('l'));
      await dir.syncParentDir('ckpt/lock');
      return normalise(calls, root);
    };
    const viaAsync = await trace(nodeFsOps);
    const viaBlocking = await trace(blockingFsOps);
    expect(viaBlocking).toEqual(viaAsync);
    expect(viaBlocking.filter((line) => line.startsWith('fh.datasync')).length).toBeGreaterThanOrEqual(4);
  });

  it('flushAndSync writes the segment through its O_DSYNC descriptor: one write, no fdatasync', async () => {
    const root = await tempDir();
    const calls: FsCall[] = [];
    const dir = new FsDirectory(root, { ops: traced(blockingFsOps, calls) });
    const wal = await WalWriter.create(dir, { schema: walEntrySchema });
    const segment = join(root, 'wal/wal_00000000000000000001.log');
    for (let round = 0; round < 2; round++) {
      await wal.append({ type: 'AddSegment', segmentId: 1, docCount: 1 });
      const start = calls.length;
      await wal.flushAndSync();
      const during = calls.slice(start).map((c) => `${c.op}${c.dataSync ? ' O_DSYNC' : ''} ${c.path}`);
      // The descriptor is opened by the first durable write and reused after it.
      expect(during).toEqual([
        ...(round === 0 ? [`fh.openDataSync ${segment}`] : []),
        `fh.write O_DSYNC ${segment}`,
      ]);
    }
    await wal.close();
  });

  it('createFile + sync + syncParentDir: one fdatasync of the file, fsyncs of the directories', async () => {
    const root = await tempDir();
    const calls: FsCall[] = [];
    const dir = new FsDirectory(root, { ops: traced(blockingFsOps, calls) });
    const writer = await dir.createFile('d/f');
    await writer.write(bytes('x'));
    await writer.sync();
    await writer.close();
    await dir.syncParentDir('d/f');
    const syncs = calls.filter((c) => c.op === 'fh.datasync' || c.op === 'fh.sync');
    expect(syncs.map((c) => `${c.op} ${c.path}`)).toEqual([
      `fh.sync ${root}`, // d/ was created on demand: its entry is made durable first
      `fh.datasync ${join(root, 'd/f')}`,
      `fh.sync ${join(root, 'd')}`,
    ]);
  });

  describe("reaches Node's synchronous fdatasync/fsync (spied through syncBuiltinESMExports)", () => {
    afterEach(() => {
      vi.restoreAllMocks();
      syncBuiltinESMExports();
    });

    const spySyncs = () => {
      const fdatasync = vi.spyOn(fs, 'fdatasyncSync');
      const fsync = vi.spyOn(fs, 'fsyncSync');
      // Propagates the spies to the named exports of `node:fs`, which blocking-fs-ops.ts imports.
      syncBuiltinESMExports();
      return { fdatasync, fsync };
    };

    const durableWorkload = async (dir: FsDirectory) => {
      const writer = await dir.createFile('d/f');
      await writer.write(bytes('x'));
      await writer.sync();
      await writer.close();
      await dir.syncParentDir('d/f');
    };

    it('blocking mode calls fdatasyncSync once and fsyncSync for each directory', async () => {
      const { fdatasync, fsync } = spySyncs();
      await durableWorkload(new FsDirectory(await tempDir(), { io: 'blocking' }));
      expect(fdatasync).toHaveBeenCalledTimes(1);
      expect(fsync).toHaveBeenCalledTimes(2);
    });

    it('async mode calls neither (it uses fs/promises), so the spies do see the difference', async () => {
      const { fdatasync, fsync } = spySyncs();
      await durableWorkload(new FsDirectory(await tempDir(), { io: 'async' }));
      expect(fdatasync).not.toHaveBeenCalled();
      expect(fsync).not.toHaveBeenCalled();
    });
  });
});

describe('blockingFsOps matches nodeFsOps call by call', () => {
  it.each(OPS)('%s: flags, file offset writes, positioned reads, EOF, stat, truncate', async (_, ops) => {
    const root = await tempDir();
    const path = join(root, 'f');
    const w = await ops.open(path, 'w');
    expect(await w.write(bytes('abcdef'), 0, 6, null)).toBe(6);
    expect(await w.write(bytes('XYZ'), 1, 2, null)).toBe(2); // at the file offset: after 'abcdef'
    expect(await w.write(bytes('Q'), 0, 1, 0)).toBe(1); // positioned
    expect((await w.stat()).size).toBe(8);
    await w.datasync();
    await w.close();
    expect(await readFile(path, 'utf8')).toBe('QbcdefYZ');

    const a = await ops.open(path, 'a');
    await a.write(bytes('!'), 0, 1, null);
    await a.sync();
    await a.close();

    const rw = await ops.open(path, 'r+');
    await rw.truncate(4);
    await rw.close();
    expect(await readFile(path, 'utf8')).toBe('Qbcd');

    const r = await ops.open(path, 'r');
    const buffer = new Uint8Array(8);
    expect(await r.read(buffer, 0, 8, 1)).toBe(3);
    expect(text(buffer.subarray(0, 3))).toBe('bcd');
    expect(await r.read(buffer, 0, 8, 4)).toBe(0); // end of file
    expect(await r.stat()).toEqual({ size: 4, isFile: true, isDirectory: false, isSymbolicLink: false });
    await r.close();

    await expect(ops.open(path, 'wx')).rejects.toMatchObject({ code: 'EEXIST', syscall: 'open', path });
  });

  it.each(OPS)('%s: mkdir -p, readdir, link, rename, stat/lstat, realpath, unlink, rm', async (_, ops) => {
    const root = await tempDir();
    expect(await ops.mkdir(join(root, 'a/b'))).toBe(join(root, 'a'));
    expect(await ops.mkdir(join(root, 'a/b'))).toBeUndefined();
    await writeFile(join(root, 'a/f'), 'x');
    await ops.link(join(root, 'a/f'), join(root, 'a/g'));
    await expect(ops.link(join(root, 'a/f'), join(root, 'a/g'))).rejects.toMatchObject({ code: 'EEXIST' });
    await ops.rename(join(root, 'a/g'), join(root, 'a/h'));
    expect((await ops.readdir(join(root, 'a'))).sort()).toEqual(['b', 'f', 'h']);
    fs.symlinkSync('f', join(root, 'a/l'));
    expect(await ops.stat(join(root, 'a/l'))).toMatchObject({ isFile: true, isSymbolicLink: false });
    expect(await ops.lstat(join(root, 'a/l'))).toMatchObject({ isFile: false, isSymbolicLink: true });
    expect(await ops.realpath(join(root, 'a/l'))).toBe(join(fs.realpathSync(root), 'a/f'));
    await expect(ops.realpath(join(root, 'missing'))).rejects.toMatchObject({
      code: 'ENOENT',
      syscall: 'realpath',
    });
    await ops.unlink(join(root, 'a/h'));
    await expect(ops.unlink(join(root, 'a/h'))).rejects.toMatchObject({ code: 'ENOENT', syscall: 'unlink' });
    await ops.rm(join(root, 'a'));
    await ops.rm(join(root, 'a')); // missing: not an error
    expect(await ops.readdir(root)).toEqual([]);
  });

  it.each(OPS)(
    '%s: a closed handle closes again quietly and rejects other calls with EBADF',
    async (_, ops) => {
      const root = await tempDir();
      const handle = await ops.open(join(root, 'f'), 'w');
      await handle.close();
      await expect(handle.close()).resolves.toBeUndefined();
      await expect(handle.write(bytes('x'), 0, 1, null)).rejects.toMatchObject({ code: 'EBADF' });
      await expect(handle.datasync()).rejects.toMatchObject({ code: 'EBADF', syscall: 'fdatasync' });
    },
  );

  it('closing a blocking handle twice never closes the descriptor a later open reused', async () => {
    const root = await tempDir();
    const first = await blockingFsOps.open(join(root, 'a'), 'w');
    await first.close();
    const second = await blockingFsOps.open(join(root, 'b'), 'w'); // typically gets the same fd number
    await first.close();
    await second.write(bytes('still open'), 0, 10, null);
    await second.datasync();
    await second.close();
    expect(await readFile(join(root, 'b'), 'utf8')).toBe('still open');
  });

  it('failures are rejections, never synchronous throws, with the error Node gives', async () => {
    const root = await tempDir();
    const missing = join(root, 'missing');
    let pending: Promise<unknown> | undefined;
    expect(() => {
      pending = blockingFsOps.open(missing, 'r');
    }).not.toThrow();
    await expect(pending).rejects.toMatchObject({ code: 'ENOENT', syscall: 'open', path: missing });
    expect(() => {
      pending = blockingFsOps.readdir(missing);
    }).not.toThrow();
    await expect(pending).rejects.toMatchObject({ code: 'ENOENT', syscall: 'scandir', path: missing });
  });
});

describe("io: 'blocking' errors are the typed errors of the default mode", () => {
  /** Runs `attempt` in each mode and returns what it rejected with, checking it did not throw synchronously. */
  const rejectionIn = async (
    setup: (root: string) => Promise<void>,
    attempt: (dir: FsDirectory) => Promise<unknown>,
  ) => {
    const results: Record<FsIoMode, unknown> = { async: undefined, blocking: undefined };
    for (const io of MODES) {
      const root = await tempDir();
      await setup(root);
      let pending: Promise<unknown> | undefined;
      expect(() => {
        pending = attempt(new FsDirectory(root, { io }));
      }).not.toThrow();
      results[io] = await pending?.then(
        () => expect.fail(`${io}: resolved`),
        (error: unknown) => error,
      );
    }
    return results;
  };

  /** The fields a user sees, with the cause's errno and syscall. */
  const shape = (error: unknown) => {
    const e = error as IoError & { cause?: NodeJS.ErrnoException };
    return {
      name: e.constructor.name,
      code: e.code,
      path: e.path,
      errno: e.errno,
      causeCode: e.cause?.code,
      causeSyscall: e.cause?.syscall,
    };
  };

  it('reading a missing file: NotFoundError with the path, from open(2)', async () => {
    const { async, blocking } = await rejectionIn(
      async () => {},
      (dir) => dir.readFile('logs/missing'),
    );
    expect(blocking).toBeInstanceOf(NotFoundError);
    expect(shape(blocking)).toEqual(shape(async));
    expect(shape(blocking)).toMatchObject({
      path: 'logs/missing',
      causeCode: 'ENOENT',
      causeSyscall: 'open',
    });
  });

  const fileAt = (root: string) => writeFile(join(root, 'f'), 'x');
  it.each([
    ['reading a directory as a file', 'EISDIR', 'd', (root: string) => mkdir(join(root, 'd')), 'read'],
    ['opening a file below a regular file', 'ENOTDIR', 'f/g', fileAt, 'read'],
    ['creating a file below a regular file', 'ENOTDIR', 'f/g', fileAt, 'create'],
  ] as const)('%s: IoError %s, as in async mode', async (_name, errno, path, setup, action) => {
    const { async, blocking } = await rejectionIn(setup, (dir) =>
      action === 'read' ? dir.readFile(path) : dir.createFile(path),
    );
    expect(blocking).toBeInstanceOf(IoError);
    expect(shape(blocking)).toEqual(shape(async));
    expect(shape(blocking)).toMatchObject({ path, errno });
  });

  it('an injected fdatasync failure: IoError EIO, and the writer fails stop', async () => {
    const dir = new FsDirectory(await tempDir(), {
      ops: interceptFsOps(blockingFsOps, (call, proceed) =>
        call.op === 'fh.datasync' ? Promise.reject(errnoError('EIO', 'fdatasync', call.path)) : proceed(),
      ),
    });
    const writer = await dir.createFile('f');
    await writer.write(bytes('x'));
    const failure = await writer.sync().then(
      () => expect.fail('sync resolved'),
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(IoError);
    expect(failure).toMatchObject({ code: 'IO', errno: 'EIO', syscall: 'fdatasync', path: 'f' });
    await expect(writer.write(bytes('y'))).rejects.toBe(failure);
    await writer.close();
  });
});

describe('FsDirectory options', () => {
  it('rejects ops together with io, whichever io, with TypeError', () => {
    for (const io of MODES) {
      expect(() => new FsDirectory('/tmp/x', { ops: nodeFsOps, io })).toThrow(TypeError);
      expect(() => new FsDirectory('/tmp/x', { ops: blockingFsOps, io })).toThrow(/either ops or io/);
    }
  });

  it('rejects an unknown io, and options that are not an object, with TypeError', () => {
    for (const io of ['sync', 'Blocking', '', 'toString', 1, null, {}]) {
      expect(() => new FsDirectory('/tmp/x', { io: io as FsIoMode })).toThrow(TypeError);
    }
    expect(() => new FsDirectory('/tmp/x', null as never)).toThrow(TypeError);
    expect(() => new FsDirectory('/tmp/x', 'blocking' as never)).toThrow(TypeError);
  });

  it('accepts io alone, ops alone, and undefined for either', async () => {
    const root = await tempDir();
    for (const options of [
      { io: 'blocking' },
      { io: 'async' },
      { ops: nodeFsOps },
      { ops: undefined, io: 'blocking' },
      { io: undefined },
      {},
    ] as const) {
      const dir = new FsDirectory(root, options);
      await dir.atomicWrite('f', bytes('v'));
      expect(text(await dir.readFile('f'))).toBe('v');
    }
  });
});
