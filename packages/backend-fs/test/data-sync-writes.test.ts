import { constants } from 'node:fs';
import { readdir, readFile, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { IoError, WalWriter, writeAndSync } from '@durability/core';
import { describe, expect, it } from 'vitest';
import type { FsCall, FsFileHandle, FsIoMode, FsOps } from '../src/index.js';
import { blockingFsOps, FsDirectory, interceptFsOps, nodeFsOps } from '../src/index.js';
import { bytes, errnoError, tempDir, text } from './helpers.js';

/** `writeAndSync` on the fs backend: one write through an O_DSYNC descriptor when that is as strong as write + fdatasync. */

const MODES: readonly { io: FsIoMode; ops: FsOps }[] = [
  { io: 'async', ops: nodeFsOps },
  { io: 'blocking', ops: blockingFsOps },
];

/** The calls on open files, as `op[ O_DSYNC] payload` lines (`fh.write` shows the bytes it carried). */
function fileCalls(calls: FsCall[]): string[] {
  return calls
    .filter((c) => c.op.startsWith('fh.'))
    .map((c) => {
      const tag = c.dataSync ? ' O_DSYNC' : '';
      if (c.op !== 'fh.write') return `${c.op}${tag}`;
      const [buffer, offset, length, position] = c.args as [Uint8Array, number, number, number | null];
      return `${c.op}${tag} ${text(buffer.subarray(offset, offset + length))} @${position}`;
    });
}

/** The access-mode bits of open(2) flags (Linux; Node's `fs.constants` has no `O_ACCMODE`). */
const O_ACCMODE = 3;

/** Descriptors of this process open on `path`, with their `open(2)` flags (Linux: /proc/self/fdinfo). */
async function openFlags(path: string): Promise<number[]> {
  const flags: number[] = [];
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target !== path) continue;
    const info = await readFile(`/proc/self/fdinfo/${fd}`, 'utf8');
    flags.push(Number.parseInt(/^flags:\s+([0-7]+)$/m.exec(info)![1]!, 8));
  }
  return flags;
}

describe.each(MODES)('FsFileWriter.writeAndSync, io: $io', ({ ops }) => {
  const setup = async (
    wrap: (call: FsCall, proceed: () => Promise<unknown>) => Promise<unknown> = (_, p) => p(),
  ) => {
    const root = await tempDir();
    const calls: FsCall[] = [];
    const dir = new FsDirectory(root, {
      ops: interceptFsOps(ops, (call, proceed) => {
        calls.push(call);
        return wrap(call, () => proceed());
      }),
    });
    return { root, calls, dir };
  };

  it('writes through one O_DSYNC descriptor, opened once, with no fdatasync', async () => {
    const { root, calls, dir } = await setup();
    const writer = await dir.createFile('f');
    calls.length = 0;
    await writer.writeAndSync!(bytes('ab'));
    await writer.writeAndSync!(bytes('cd'));
    expect(fileCalls(calls)).toEqual(['fh.openDataSync', 'fh.write O_DSYNC ab @0', 'fh.write O_DSYNC cd @2']);
    expect(writer.length).toBe(4);
    if (process.platform === 'linux') {
      // The second descriptor really is write-only O_DSYNC, and the first is not O_DSYNC.
      const flags = await openFlags(join(root, 'f'));
      expect(flags).toHaveLength(2);
      const dsync = flags.filter((f) => (f & constants.O_DSYNC) !== 0);
      expect(dsync).toHaveLength(1);
      expect(dsync[0]! & O_ACCMODE).toBe(constants.O_WRONLY);
    }
    calls.length = 0;
    await writer.close();
    expect(fileCalls(calls)).toEqual(['fh.close', 'fh.close O_DSYNC']);
    expect(text(await dir.readFile('f'))).toBe('abcd');
  });

  it('after a plain write, falls back to write + fdatasync (O_DSYNC would not cover the earlier bytes)', async () => {
    const { calls, dir } = await setup();
    const writer = await dir.createFile('f');
    calls.length = 0;
    await writer.write(bytes('a'));
    await writer.writeAndSync!(bytes('b'));
    await writer.writeAndSync!(bytes('c'));
    await writer.write(bytes('d'));
    await writer.sync();
    await writer.writeAndSync!(bytes('e'));
    expect(fileCalls(calls)).toEqual([
      'fh.write a @0',
      'fh.write b @1',
      'fh.datasync',
      'fh.openDataSync',
      'fh.write O_DSYNC c @2',
      'fh.write d @3',
      'fh.datasync',
      'fh.write O_DSYNC e @4',
    ]);
    await writer.close();
    expect(text(await dir.readFile('f'))).toBe('abcde');
  });

  it('on a file opened with appendFile, the first one fdatasyncs (its earlier bytes may not be durable)', async () => {
    const { root, calls, dir } = await setup();
    await writeFile(join(root, 'f'), 'hello');
    const writer = await dir.appendFile('f');
    calls.length = 0;
    await writer.writeAndSync!(bytes(' '));
    await writer.writeAndSync!(bytes('world'));
    expect(fileCalls(calls)).toEqual([
      'fh.write   @5',
      'fh.datasync',
      'fh.openDataSync',
      'fh.write O_DSYNC world @6',
    ]);
    await writer.close();
    expect(text(await dir.readFile('f'))).toBe('hello world');
  });

  it('where the descriptor cannot be opened, uses write + fdatasync and does not try again', async () => {
    const { calls, dir } = await setup((call, proceed) =>
      call.op === 'fh.openDataSync' ? Promise.reject(errnoError('ENOENT', 'open')) : proceed(),
    );
    const writer = await dir.createFile('f');
    calls.length = 0;
    await writer.writeAndSync!(bytes('a'));
    await writer.writeAndSync!(bytes('b'));
    expect(fileCalls(calls)).toEqual([
      'fh.openDataSync',
      'fh.write a @0',
      'fh.datasync',
      'fh.write b @1',
      'fh.datasync',
    ]);
    await writer.close();
    expect(text(await dir.readFile('f'))).toBe('ab');
  });

  it('a file handle without openDataSync (a custom FsOps) gets write + fdatasync', async () => {
    const withoutDataSync: FsOps = {
      ...ops,
      async open(path, flags) {
        const handle = await ops.open(path, flags);
        const { openDataSync: _, ...rest } = Object.fromEntries(
          (['write', 'read', 'stat', 'truncate', 'datasync', 'sync', 'close', 'openDataSync'] as const).map(
            (name) => [name, handle[name]?.bind(handle)],
          ),
        );
        return rest as unknown as FsFileHandle;
      },
    };
    const calls: FsCall[] = [];
    const dir = new FsDirectory(await tempDir(), {
      ops: interceptFsOps(withoutDataSync, (call, proceed) => {
        calls.push(call);
        return proceed();
      }),
    });
    const writer = await dir.createFile('f');
    calls.length = 0;
    await writeAndSync(writer, bytes('a'));
    expect(fileCalls(calls)).toEqual(['fh.write a @0', 'fh.datasync']);
    await writer.close();
  });

  it('a failed O_DSYNC write poisons the writer with that error; length counts what the kernel accepted', async () => {
    let dataSyncWrites = 0;
    const { dir } = await setup((call, proceed) => {
      if (call.op === 'fh.write' && call.dataSync && ++dataSyncWrites === 2) {
        return Promise.reject(errnoError('EIO', 'write'));
      }
      return proceed();
    });
    const writer = await dir.createFile('f');
    await writer.writeAndSync!(bytes('abc'));
    const failure = await writer.writeAndSync!(bytes('def')).catch((error: unknown) => error);
    expect(IoError.is(failure)).toBe(true);
    expect(failure).toMatchObject({ errno: 'EIO', path: 'f' });
    expect(writer.length).toBe(3);
    for (const call of [
      () => writer.write(bytes('x')),
      () => writer.sync(),
      () => writer.writeAndSync!(bytes('x')),
    ]) {
      await expect(call()).rejects.toBe(failure);
    }
    await writer.close();
    expect(text(await dir.readFile('f'))).toBe('abc');
  });

  it('striking the O_DSYNC writes fails a WAL flushAndSync, and the WAL fails stop (as the README says)', async () => {
    let failing = false;
    const { dir } = await setup((call, proceed) =>
      failing && (call.op === 'fh.datasync' || (call.op === 'fh.write' && call.dataSync))
        ? Promise.reject(errnoError('EIO', 'write'))
        : proceed(),
    );
    const wal = await WalWriter.create<{ n: number }>(dir);
    await wal.append({ n: 1 });
    await wal.flushAndSync();
    failing = true;
    await wal.append({ n: 2 });
    const failure = await wal.flushAndSync().catch((error: unknown) => error);
    expect(IoError.is(failure)).toBe(true);
    expect(failure).toMatchObject({ errno: 'EIO' });
    await expect(wal.append({ n: 3 })).rejects.toBe(failure);
    await expect(wal.close()).rejects.toBe(failure);
  });

  it('a short O_DSYNC write is continued at the right offset', async () => {
    const short = interceptFsOps(ops, (call, proceed) => {
      if (call.op !== 'fh.write' || !call.dataSync) return proceed();
      const [buffer, offset, length, position] = call.args as [Uint8Array, number, number, number];
      return proceed([buffer, offset, Math.min(length, 2), position]);
    });
    const shortDir = new FsDirectory(await tempDir(), { ops: short });
    const writer = await shortDir.createFile('f');
    await writer.writeAndSync!(bytes('abcdefg'));
    await writer.write(bytes('h'));
    expect(writer.length).toBe(8);
    await writer.close();
    expect(text(await shortDir.readFile('f'))).toBe('abcdefgh');
  });
});
