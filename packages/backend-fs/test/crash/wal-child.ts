/**
 * The child process of the crash tests, run by `node --import tsx` (see crash-harness.ts). Not a test
 * file. `argv[2]` is the mode:
 *
 * - `workload <root> <journal> <seed> <segmentSizeBytes>`: resumes the WAL in `<root>` and appends
 *   forever (append, appendBatch, flush, flushAndSync, checkpoint publishes), until it is killed. Before
 *   each call it records the entries it is about to append in `<journal>` (one JSON line per entry,
 *   `appendFileSync`: in the kernel before the call starts); after each awaited call returns it reports
 *   the acknowledgement to the parent over IPC.
 * - `hold-lock <root>`: opens a writer and reports `locked`, then waits to be killed.
 * - `try-lock <root>`: opens a writer; reports `opened` (with the takeover, if any) and closes it, or
 *   reports the error.
 */
import { appendFileSync } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { FsDirectory } from '@durability/backend-fs';
import {
  CheckpointPublisher,
  checkpointPathFor,
  RecoveryManager,
  type WalEntry,
  WalWriter,
  walEntrySchema,
} from '@durability/core';
import { EntryGenerator, prng } from './workload.js';

export type ChildMessage =
  | { type: 'ready'; pid: number; lastEntryId: number; resolved: { core: string; fs: string } }
  | { type: 'ack'; op: 'append' | 'appendBatch' | 'flush' | 'sync'; through: number }
  | { type: 'ack'; op: 'publish'; through: number; markerEntryId: number; lastAppliedId: number }
  | { type: 'locked'; pid: number }
  | {
      type: 'opened';
      pid: number;
      takeover: { pid: number | null; reason: string; message: string } | undefined;
    }
  | { type: 'error'; name: string; code: unknown; message: string; owner: unknown };

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function workload(
  root: string,
  journal: string,
  seed: number,
  segmentSizeBytes: number,
): Promise<void> {
  const dir = new FsDirectory(root);
  const wal = await WalWriter.resume<WalEntry>(dir, {
    schema: walEntrySchema,
    segmentSizeBytes,
    bufferBytes: 256,
  });
  const manager = new RecoveryManager(dir);
  const start = await manager.recoverLatest();
  const random = prng(seed);
  const generator = new EntryGenerator(random, start.segments);
  const publisher = new CheckpointPublisher(dir);
  let checkpoint = start.checkpoint?.path;
  const last = () => wal.lastEntryId ?? 0;
  const record = (id: number, entry: WalEntry) =>
    appendFileSync(journal, `${JSON.stringify({ id, entry })}\n`);
  send({
    type: 'ready',
    pid: process.pid,
    lastEntryId: last(),
    resolved: {
      core: import.meta.resolve('@durability/core'),
      fs: import.meta.resolve('@durability/backend-fs'),
    },
  });
  for (;;) {
    const r = random();
    if (r < 0.35) {
      const id = last() + 1;
      const entry = generator.next(id);
      record(id, entry);
      const got = await wal.append(entry);
      if (got !== id) throw new Error(`append returned id ${got}, expected ${id}`);
      send({ type: 'ack', op: 'append', through: got });
    } else if (r < 0.55) {
      const count = 1 + Math.floor(random() * 6);
      const entries: WalEntry[] = [];
      for (let i = 0; i < count; i++) {
        const id = last() + 1 + i;
        entries.push(generator.next(id));
        record(id, entries[i]!);
      }
      const ids = await wal.appendBatch(entries);
      send({ type: 'ack', op: 'appendBatch', through: ids.at(-1)! });
    } else if (r < 0.75) {
      const through = last();
      await wal.flush();
      send({ type: 'ack', op: 'flush', through });
    } else if (r < 0.85) {
      const through = last();
      await wal.flushAndSync();
      send({ type: 'ack', op: 'sync', through });
    } else if (last() > 0) {
      // Checkpoint everything so far: the state comes from recovery of what is flushed.
      await wal.flush();
      const state = await manager.recoverLatest();
      const path = checkpointPathFor(state.lastEntryId);
      const markerId = last() + 1;
      record(markerId, { type: 'Checkpoint', checkpointPath: path, lastEntryId: state.lastEntryId });
      const removeCheckpoints = checkpoint !== undefined && checkpoint !== path ? [checkpoint] : [];
      const result = await publisher.publish(wal, state, state.lastEntryId, path, { removeCheckpoints });
      if (result.markerEntryId !== markerId)
        throw new Error(`marker got id ${result.markerEntryId}, expected ${markerId}`);
      checkpoint = path;
      send({
        type: 'ack',
        op: 'publish',
        through: markerId,
        markerEntryId: markerId,
        lastAppliedId: state.lastEntryId,
      });
    }
    // Let IPC messages go out: append resolves without I/O when nothing needs writing.
    await yieldToLoop();
  }
}

async function holdLock(root: string): Promise<void> {
  await WalWriter.resume(new FsDirectory(root));
  send({ type: 'locked', pid: process.pid });
  setInterval(() => {}, 60_000);
}

async function tryLock(root: string): Promise<void> {
  try {
    const wal = await WalWriter.resume(new FsDirectory(root));
    const t = wal.lockTakeover;
    send({
      type: 'opened',
      pid: process.pid,
      takeover: t && { pid: t.previousOwner.pid, reason: t.reason, message: t.message },
    });
    await wal.close();
  } catch (error) {
    const e = error as { name?: string; code?: unknown; message?: string; owner?: unknown };
    send({ type: 'error', name: String(e.name), code: e.code, message: String(e.message), owner: e.owner });
  }
  process.disconnect?.();
}

const [mode, root, journal, seed, segmentSize] = process.argv.slice(2);
const main =
  mode === 'workload'
    ? workload(root!, journal!, Number(seed), Number(segmentSize))
    : mode === 'hold-lock'
      ? holdLock(root!)
      : mode === 'try-lock'
        ? tryLock(root!)
        : Promise.reject(new Error(`unknown mode ${mode}`));
main.catch((error: unknown) => {
  console.error(error);
  process.exit(70);
});
