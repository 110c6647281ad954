import { dirname, join } from 'node:path';
import {
  CheckpointPublisher,
  checkpointPathFor,
  RecoveryManager,
  type WalEntry,
  WalWriter,
  walEntrySchema,
} from '@durability/core';
import { describe, expect, it } from 'vitest';
import type { FsCall } from '../src/index.js';
import { FsDirectory } from '../src/index.js';
import { bytes, tempDir, text, tracingOps } from './helpers.js';

/** The calls that order data and directory entries, as `op path` lines; consecutive writes collapse to one. */
function barrierTrace(calls: FsCall[], root: string): string[] {
  const lines: string[] = [];
  for (const call of calls) {
    if (
      !['open', 'fh.write', 'fh.sync', 'fh.datasync', 'fh.close', 'rename', 'link', 'unlink'].includes(
        call.op,
      )
    ) {
      continue;
    }
    const rel = (p: unknown) => {
      const relative = String(p).slice(root.length).replace(/^\//, '') || '<root>';
      return relative.replace(/\.durability-tmp-[0-9a-f]{16}$/, '.<tmp>');
    };
    let line = `${call.op} ${rel(call.path)}`;
    if (call.op === 'open') line += ` ${String(call.args[1])}`;
    if (call.op === 'rename' || call.op === 'link') line += ` -> ${rel(call.args[1])}`;
    if (line !== lines.at(-1) || call.op !== 'fh.write') lines.push(line);
  }
  return lines;
}

describe('durable call order (traced through the seam)', () => {
  it('atomicWriteDurable: write temp → fsync temp → rename → fsync parent dir', async () => {
    const root = await tempDir();
    await new FsDirectory(root).mkdirp('ckpt');
    const calls: FsCall[] = [];
    await new FsDirectory(root, { ops: tracingOps(calls) }).atomicWriteDurable('ckpt/c1', bytes('state'));
    expect(barrierTrace(calls, root)).toEqual([
      'open ckpt/c1.<tmp> wx',
      'fh.write ckpt/c1.<tmp>',
      'fh.sync ckpt/c1.<tmp>',
      'fh.close ckpt/c1.<tmp>',
      'rename ckpt/c1.<tmp> -> ckpt/c1',
      'open ckpt r',
      'fh.sync ckpt',
      'fh.close ckpt',
    ]);
    // The temp that was synced is the one that was renamed.
    const renamed = calls.find((c) => c.op === 'rename');
    const synced = calls.find((c) => c.op === 'fh.sync');
    expect(renamed?.path).toBe(synced?.path);
  });

  it('atomicWrite takes the same durable steps', async () => {
    const root = await tempDir();
    const calls: FsCall[] = [];
    await new FsDirectory(root, { ops: tracingOps(calls) }).atomicWrite('f', bytes('v'));
    expect(
      barrierTrace(calls, root).filter((l) => l.startsWith('fh.sync') || l.startsWith('rename')),
    ).toEqual(['fh.sync f.<tmp>', 'rename f.<tmp> -> f', 'fh.sync <root>']);
  });

  it('atomicRenameDurable: rename, then fsync the target directory, then the source directory', async () => {
    const root = await tempDir();
    const dir = new FsDirectory(root);
    await dir.atomicWrite('a/x', bytes('x'));
    await dir.mkdirp('b');
    const calls: FsCall[] = [];
    const traced = new FsDirectory(root, { ops: tracingOps(calls) });
    await traced.atomicRenameDurable('a/x', 'b/y');
    expect(barrierTrace(calls, root)).toEqual([
      'rename a/x -> b/y',
      'open b r',
      'fh.sync b',
      'fh.close b',
      'open a r',
      'fh.sync a',
      'fh.close a',
    ]);
    calls.length = 0;
    await traced.atomicRenameDurable('b/y', 'b/z');
    expect(barrierTrace(calls, root)).toEqual(['rename b/y -> b/z', 'open b r', 'fh.sync b', 'fh.close b']);
    expect(text(await dir.readFile('b/z'))).toBe('x');
  });

  it('createExclusive: write temp → fsync temp → link → unlink temp', async () => {
    const root = await tempDir();
    const calls: FsCall[] = [];
    await new FsDirectory(root, { ops: tracingOps(calls) }).createExclusive('lock', bytes('pid'));
    expect(barrierTrace(calls, root)).toEqual([
      'open lock.<tmp> wx',
      'fh.write lock.<tmp>',
      'fh.sync lock.<tmp>',
      'fh.close lock.<tmp>',
      'link lock.<tmp> -> lock',
      'unlink lock.<tmp>',
    ]);
  });

  it('writer.sync is fdatasync; syncFile and syncParentDir are fsync of the file and of the parent', async () => {
    const root = await tempDir();
    const calls: FsCall[] = [];
    const dir = new FsDirectory(root, { ops: tracingOps(calls) });
    await dir.mkdirp('wal');
    const writer = await dir.createFile('wal/1.log');
    calls.length = 0;
    await writer.write(bytes('entry'));
    await writer.flush();
    await writer.sync();
    await writer.close();
    await dir.syncFile('wal/1.log');
    await dir.syncParentDir('wal/1.log');
    expect(barrierTrace(calls, root)).toEqual([
      'fh.write wal/1.log',
      'fh.datasync wal/1.log',
      'fh.close wal/1.log',
      'open wal/1.log r',
      'fh.sync wal/1.log',
      'fh.close wal/1.log',
      'open wal r',
      'fh.sync wal',
      'fh.close wal',
    ]);
  });

  it('directories created on demand are made durable before the call returns', async () => {
    const base = await tempDir();
    const root = join(base, 'root');
    const calls: FsCall[] = [];
    const writer = await new FsDirectory(root, { ops: tracingOps(calls) }).createFile('a/b/f');
    await writer.close();
    const syncedDirs = calls.filter((c) => c.op === 'fh.sync').map((c) => c.path);
    // Created: root, root/a, root/a/b; each one's parent is synced, deepest first.
    expect(syncedDirs).toEqual([join(root, 'a'), root, dirname(root)]);
    const mkdirAt = calls.findIndex((c) => c.op === 'mkdir');
    const openAt = calls.findIndex((c) => c.op === 'open' && c.args[1] === 'w');
    const lastSyncAt = calls.map((c) => c.op).lastIndexOf('fh.sync');
    expect(mkdirAt).toBeLessThan(lastSyncAt);
    expect(lastSyncAt).toBeLessThan(openAt);
  });

  it('CheckpointPublisher.publish: checkpoint durable → marker durable → only then delete segments → fsync dir', async () => {
    const root = await tempDir();
    // Four small segments (entries 1..4), then a writer with room for the marker in the final one.
    const setup = await WalWriter.create<WalEntry>(new FsDirectory(root), {
      schema: walEntrySchema,
      segmentSizeBytes: 100,
    });
    for (let i = 1; i <= 4; i++) await setup.append({ type: 'AddSegment', segmentId: i, docCount: 3 });
    await setup.close();
    await new FsDirectory(root).mkdirp('checkpoints');
    const calls: FsCall[] = [];
    const dir = new FsDirectory(root, { ops: tracingOps(calls) });
    const wal = await WalWriter.resume<WalEntry>(dir, { schema: walEntrySchema, segmentSizeBytes: 1 << 20 });
    const state = await new RecoveryManager(dir).recover();
    expect(state.lastEntryId).toBe(4);
    calls.length = 0;
    const path = checkpointPathFor(4);
    const result = await new CheckpointPublisher(dir).publish(wal, state, 4, path);
    const published = calls.splice(0);
    await wal.close();
    expect(result.markerEntryId).toBe(5);
    expect(result.truncation.deletedSegmentIds).toEqual([1, 2, 3]);

    // Only what writes, orders or deletes (reads of headers and frames left out); writes collapse.
    const rel = (p: unknown) =>
      (String(p).slice(root.length).replace(/^\//, '') || '<root>').replace(
        /\.durability-tmp-[0-9a-f]{16}$/,
        '.<tmp>',
      );
    const seg = (id: number) => `wal/wal_${String(id).padStart(20, '0')}.log`;
    const trace: string[] = [];
    for (const call of published) {
      let line: string | undefined;
      if (call.op === 'fh.write') line = `${call.dataSync ? 'write O_DSYNC' : 'write'} ${rel(call.path)}`;
      else if (call.op === 'fh.sync') line = `fsync ${rel(call.path)}`;
      else if (call.op === 'fh.datasync') line = `fdatasync ${rel(call.path)}`;
      else if (call.op === 'rename') line = `rename ${rel(call.path)} -> ${rel(call.args[1])}`;
      else if (call.op === 'rm' || call.op === 'unlink') line = `delete ${rel(call.path)}`;
      if (line !== undefined && line !== trace.at(-1)) trace.push(line);
    }
    const ckpt = path;
    expect(trace).toEqual([
      // 1. the checkpoint, durably: write temp → fsync temp → rename → fsync its directory
      `write ${ckpt}.<tmp>`,
      `fsync ${ckpt}.<tmp>`,
      `rename ${ckpt}.<tmp> -> ${ckpt}`,
      'fsync checkpoints',
      // 2. the marker appended to the final segment and synced: one write through its O_DSYNC descriptor
      // (resume synced the segment, so nothing earlier in it is waiting for an fdatasync)
      `write O_DSYNC ${seg(4)}`,
      // 3. truncation: the first kept segment synced, covered segments deleted, the directory synced
      `fsync ${seg(4)}`,
      `delete ${seg(1)}`,
      `delete ${seg(2)}`,
      `delete ${seg(3)}`,
      'fsync wal',
    ]);
  });
});
