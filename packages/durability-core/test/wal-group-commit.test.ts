import { afterAll, describe, expect, it } from 'vitest';
import { InvalidStateError, IoError, WalReader, WalWriter } from '../src/index.js';
import {
  frameEnds,
  readRaw,
  rejection,
  removeWalTempRoots,
  segmentPaths,
  traced,
  walBackends,
} from './wal-harness.js';

afterAll(removeWalTempRoots);

const APPENDERS = 64;
const ROUNDS = 8;

describe.each(walBackends)('WAL group commit, rotation order and fail-stop ($name)', (backend) => {
  it('64 concurrent durable appenders share syncs, and every acknowledged entry is replayed', async () => {
    const t = traced(await backend.create());
    if (backend.name === 'memory') t.delayWriters(1); // a sync that takes time, as on a disk
    // Small segments: rotations (each syncing the old segment and the new header) happen mid-stream.
    const w = await WalWriter.create<{ who: number; n: number }>(t.dir, { segmentSizeBytes: 2048 });
    const syncsBefore = t.syncs();
    const acknowledged: number[] = [];
    /** For each acknowledged id, what every completed sync covered when its flushAndSync resolved. */
    const coveredAtAck = new Map<number, Map<string, number>>();
    await Promise.all(
      Array.from({ length: APPENDERS }, async (_, who) => {
        for (let n = 0; n < ROUNDS; n++) {
          const id = await w.append({ who, n });
          await w.flushAndSync();
          acknowledged.push(id);
          coveredAtAck.set(id, new Map(t.syncedLength));
        }
      }),
    );
    const syncs = t.syncs() - syncsBefore;
    expect(acknowledged).toHaveLength(APPENDERS * ROUNDS);
    expect(syncs).toBeGreaterThan(0);
    expect(syncs).toBeLessThan((APPENDERS * ROUNDS) / 8);

    // What a crash right now leaves: every acknowledged entry is there, in id order, each exactly once.
    const crashed = await backend.snapshot(t.dir);
    const records = await new WalReader<{ who: number; n: number }>(crashed).replay();
    expect(records.map((r) => r.entryId)).toEqual(acknowledged.slice().sort((a, b) => a - b));
    for (let who = 0; who < APPENDERS; who++) {
      expect(records.filter((r) => r.payload.who === who).map((r) => r.payload.n)).toEqual([
        0, 1, 2, 3, 4, 5, 6, 7,
      ]);
    }
    expect((await segmentPaths(crashed)).length).toBeGreaterThan(3);

    // Each acknowledgement came after a completed sync that covered the entry's whole frame.
    for (const path of await segmentPaths(crashed)) {
      for (const [id, end] of frameEnds(await readRaw(crashed, path))) {
        expect(coveredAtAck.get(id)!.get(path) ?? 0, `entry ${id}`).toBeGreaterThanOrEqual(end);
      }
    }
    await w.close();
  });

  it('a caller arriving during a sync joins the next round; appends never wait for the sync in progress', async () => {
    const t = traced(await backend.create());
    const w = await WalWriter.create<string>(t.dir);
    t.delayWriters(20);
    await w.append('a');
    let firstDone = false;
    const first = w.flushAndSync().then(() => {
      firstDone = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 5)); // the first round is now in its I/O
    expect(await w.append('b')).toBe(2);
    expect(firstDone).toBe(false); // the append did not wait for the sync
    const syncsBefore = t.syncs();
    const joiners = [w.flushAndSync(), w.flushAndSync(), w.flushAndSync()];
    await first;
    await Promise.all(joiners);
    expect(t.syncs() - syncsBefore).toBe(2); // the running round's sync, then one shared next round
    t.delayWriters(0);
    await w.close();
    expect((await new WalReader<string>(t.dir).replay()).map((r) => r.payload)).toEqual(['a', 'b']);
  });

  it('rotation: the old segment is synced before the new one exists and before any later sync resolves', async () => {
    const t = traced(await backend.create());
    const w = await WalWriter.create<string>(t.dir, { segmentSizeBytes: 64 });
    await w.append('x'.repeat(10));
    await w.append('y'.repeat(10)); // does not fit: segment 2
    await w.flushAndSync();
    const [seg1, seg2] = await segmentPaths(t.dir);
    const at = (op: string, path: string) => t.calls.findIndex((c) => c.op === op && c.path === path);
    const lastSyncOfSeg1 = t.calls.map((c) => `${c.op} ${c.path}`).lastIndexOf(`writer.sync ${seg1}`);
    expect(lastSyncOfSeg1).toBeGreaterThan(at('writer.write', seg1!));
    expect(lastSyncOfSeg1).toBeLessThan(at('dir.createFile', seg2!));
    const firstFrameWrite = t.calls.findIndex(
      (c, i) => c.op === 'writer.write' && c.path === seg2 && i > at('writer.sync', seg2!),
    );
    expect(firstFrameWrite).toBeGreaterThan(at('writer.sync', seg2!)); // header durable before frames
    const durableOps = t.calls.filter((c) => c.op === 'dir.syncParentDir' || c.op === 'dir.syncFile');
    if (backend.durable) {
      expect(at('dir.syncParentDir', seg2!)).toBeGreaterThan(at('writer.sync', seg2!));
      expect(at('dir.syncParentDir', seg2!)).toBeLessThan(firstFrameWrite);
    } else {
      expect(durableOps).toEqual([]); // never called where they would reject NotSupportedError
    }
    await w.close();
  });

  it('a failed sync rejects every waiter with the same error and poisons the writer', async () => {
    const t = traced(await backend.create());
    const w = await WalWriter.create<number>(t.dir);
    await w.append(0);
    await w.flushAndSync();
    t.delayWriters(5);
    const injected = Object.assign(new Error('EIO: simulated fsync failure'), { code: 'EIO' });
    t.failWhen('writer.sync', injected);
    const waiters = Array.from({ length: 16 }, async (_, i) => {
      await w.append(i + 1);
      await w.flushAndSync();
    });
    const errors = await Promise.all(waiters.map((p) => rejection(p)));
    const cause = errors[0];
    expect(IoError.is(cause)).toBe(true);
    expect((cause as IoError).cause).toBe(injected);
    for (const error of errors) expect(error).toBe(cause);
    // Fail-stop: every later call rejects with the original error object.
    expect(await rejection(w.append(99))).toBe(cause);
    expect(await rejection(w.appendBatch([1, 2]))).toBe(cause);
    expect(await rejection(w.flush())).toBe(cause);
    expect(await rejection(w.flushAndSync())).toBe(cause);
    expect(await rejection(w.close())).toBe(cause);
    expect(await rejection(w.close())).toBe(cause);
    // close released the lock: the way forward is a new writer via resume (on a healthy disk again).
    t.delayWriters(0);
    t.clearFailures();
    const resumed = await WalWriter.resume<number>(t.dir);
    expect(resumed.lockTakeover).toBeUndefined();
    const next = await resumed.append(100);
    await resumed.close();
    const ids = (await new WalReader<number>(t.dir).replay()).map((r) => r.entryId);
    expect(ids.at(-1)).toBe(next);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, i) => i + 1));
  });

  it('a failed write poisons too, and pending durable appends reject with the original cause', async () => {
    const t = traced(await backend.create());
    const w = await WalWriter.create<number>(t.dir, { flushPolicy: 'perAppend' });
    await w.append(1);
    const injected = new Error('ENOSPC: simulated');
    t.failWhen('writer.write', injected);
    const pending = [w.append(2), w.append(3), w.flushAndSync(), w.flush()];
    const errors = await Promise.all(pending.map((p) => rejection(p)));
    for (const error of errors) expect(error).toBe(errors[0]);
    expect((errors[0] as IoError).cause).toBe(injected);
    expect(await rejection(w.append(4))).toBe(errors[0]);
    await rejection(w.close());
  });

  it('calls after close reject with InvalidStateError; close is idempotent', async () => {
    const w = await WalWriter.create<number>(await backend.create());
    await w.append(1);
    await Promise.all([w.close(), w.close()]);
    await w.close();
    expect(InvalidStateError.is(await rejection(w.append(2)))).toBe(true);
    expect(InvalidStateError.is(await rejection(w.flushAndSync()))).toBe(true);
  });

  it('flush policies: perAppend and everyN flush by themselves, manual only when asked', async () => {
    for (const [flushPolicy, expectFlushes] of [
      ['perAppend', 6],
      [{ everyN: 3 }, 2],
      ['manual', 0],
    ] as const) {
      const t = traced(await backend.create());
      const w = await WalWriter.create<number>(t.dir, { flushPolicy });
      for (let i = 0; i < 6; i++) await w.append(i);
      expect(t.calls.filter((c) => c.op === 'writer.flush').length).toBe(expectFlushes);
      await w.close();
      expect(await new WalReader<number>(t.dir).replay()).toHaveLength(6);
    }
  });
});
