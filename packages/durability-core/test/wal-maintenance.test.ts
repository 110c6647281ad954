import { afterAll, describe, expect, it } from 'vitest';
import { CheckpointPublisher, type WalEntry, WalMaintenance, WalReader, WalWriter } from '../src/index.js';
import { encodeSegmentHeader } from '../src/wal/wal-format.js';
import { recordingReads } from './support/backends.js';
import { readRaw, removeWalTempRoots, segmentPaths, traced, walBackends, writeRaw } from './wal-harness.js';

afterAll(removeWalTempRoots);

const SEG = (id: number) => `wal/wal_${String(id).padStart(20, '0')}.log`;

describe.each(walBackends)('WAL maintenance ($name)', (backend) => {
  /** Ten 1-byte-payload-ish entries, two frames per segment: segments 1..5 hold ids 1-2, 3-4, … 9-10. */
  async function fiveSegments() {
    const t = traced(await backend.create());
    const w = await WalWriter.create<string>(t.dir, { segmentSizeBytes: 28 + 2 * 22 });
    await w.appendBatch(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j']);
    await w.flushAndSync();
    return { t, w };
  }

  it('segments() lists id ranges, paths and sizes', async () => {
    const { t, w } = await fiveSegments();
    const ranges = await new WalMaintenance(t.dir).segments();
    expect(ranges).toEqual(
      [1, 2, 3, 4, 5].map((id) => ({
        segmentId: id,
        path: SEG(id),
        firstEntryId: 2 * id - 1,
        lastEntryId: 2 * id,
        bytes: 28 + 2 * 22,
      })),
    );
    await w.close();
  });

  it('truncatePrefix deletes only whole covered segments, oldest first, then syncs the directory', async () => {
    const { t, w } = await fiveSegments();
    const m = new WalMaintenance(t.dir);
    expect(await m.truncatePrefix(0)).toMatchObject({ deletedSegmentIds: [] });
    expect(await m.truncatePrefix(5)).toEqual({
      deletedSegmentIds: [1, 2],
      deletedBytes: 2 * 72,
      firstRemainingEntryId: 5,
    });
    const deletes = t.calls.filter((c) => c.op === 'dir.delete').map((c) => c.path);
    expect(deletes).toEqual([SEG(1), SEG(2)]);
    const parentSync = t.calls.map((c) => `${c.op} ${c.path}`).lastIndexOf(`dir.syncParentDir ${SEG(3)}`);
    if (backend.durable) {
      expect(parentSync).toBeGreaterThan(
        t.calls.findIndex((c) => c.op === 'dir.delete' && c.path === SEG(2)),
      );
      expect(t.calls.findIndex((c) => c.op === 'dir.syncFile' && c.path === SEG(3))).toBeGreaterThan(-1);
    } else {
      expect(t.calls.some((c) => c.op === 'dir.syncParentDir' || c.op === 'dir.syncFile')).toBe(false);
    }
    expect(await segmentPaths(t.dir)).toEqual([SEG(3), SEG(4), SEG(5)]);

    // The reader accepts a WAL that starts above 1 and says where it starts.
    const records: number[] = [];
    const report = await new WalReader(t.dir).replayEach((r) => void records.push(r.entryId));
    expect(records).toEqual([5, 6, 7, 8, 9, 10]);
    expect(report).toMatchObject({ firstEntryId: 5, lastEntryId: 10, reason: 'clean-end' });

    // The live writer is unaffected and keeps going.
    expect(await w.append('k')).toBe(11);
    await w.close();
  });

  it("truncatePrefix and publish read segment headers only, never the final segment's frames", async () => {
    const dir = await backend.create();
    const w = await WalWriter.create<WalEntry>(dir, { segmentSizeBytes: 16 * 1024 });
    const add = (i: number) => w.append({ type: 'AddSegment', segmentId: i, docCount: 1 });
    for (let i = 1; i <= 2000; i++) await add(i); // a few segments, the final one holding frames
    await w.flush();
    const segments = (await segmentPaths(dir)).length;
    expect(segments).toBeGreaterThan(2);
    const { dir: recording, readLengths } = recordingReads(dir);
    const truncated = await new WalMaintenance(recording).truncatePrefix(1500);
    expect(truncated.deletedSegmentIds.length).toBeGreaterThan(0);
    expect(readLengths).toHaveLength(segments); // one small read per header
    for (const length of readLengths) expect(length).toBeLessThanOrEqual(4096);

    for (let i = 2001; i <= 3000; i++) await add(i);
    await w.flush();
    readLengths.length = 0;
    const state = { segments: [], pendingMerges: [] };
    await new CheckpointPublisher(recording).publish(w, state, 3000, 'checkpoints/c1');
    const after = await segmentPaths(dir);
    expect(after).toHaveLength(1);
    // Headers only (twice: the truncation-point check, then the truncation), besides nothing else.
    for (const length of readLengths) expect(length).toBeLessThanOrEqual(4096);
    await w.close();
  });

  it('never deletes the final segment, so the last id stays discoverable; resume continues after it', async () => {
    const { t, w } = await fiveSegments();
    await w.close();
    const result = await new WalMaintenance(t.dir).truncatePrefix(1_000);
    expect(result.deletedSegmentIds).toEqual([1, 2, 3, 4]);
    expect(await segmentPaths(t.dir)).toEqual([SEG(5)]);
    const resumed = await WalWriter.resume<string>(t.dir);
    expect(resumed.lastEntryId).toBe(10);
    expect(await resumed.append('k')).toBe(11);
    await resumed.close();
  });

  it('an emptied final segment still tells the next id through its header', async () => {
    const { t, w } = await fiveSegments();
    await w.close();
    // A crash right after rotation: the final segment holds only its header.
    await writeRaw(t.dir, SEG(6), encodeSegmentHeader({ segmentId: 6, startEntryId: 11 }));
    await new WalMaintenance(t.dir).truncatePrefix(10);
    expect(await segmentPaths(t.dir)).toEqual([SEG(6)]);
    const ranges = await new WalMaintenance(t.dir).segments();
    expect(ranges).toEqual([
      { segmentId: 6, path: SEG(6), firstEntryId: 11, lastEntryId: undefined, bytes: 28 },
    ]);
    const report = await new WalReader(t.dir).replayEach(() => undefined);
    expect(report).toMatchObject({ entriesReplayed: 0, nextEntryId: 11, firstEntryId: undefined });
    const resumed = await WalWriter.resume<string>(t.dir);
    expect(resumed.lastEntryId).toBe(10);
    expect(await resumed.append('k')).toBe(11);
    await resumed.close();
  });

  it('keeps the segment before a final segment whose header is torn (its last id would be lost)', async () => {
    const { t, w } = await fiveSegments();
    await w.close();
    const header = encodeSegmentHeader({ segmentId: 6, startEntryId: 11 });
    await writeRaw(t.dir, SEG(6), header.subarray(0, 10));
    const m = new WalMaintenance(t.dir);
    expect((await m.segments()).at(-1)).toMatchObject({ segmentId: 6, firstEntryId: undefined });
    expect((await m.segments()).at(-2)).toMatchObject({ segmentId: 5, firstEntryId: 9, lastEntryId: 10 });
    expect((await m.truncatePrefix(100)).deletedSegmentIds).toEqual([1, 2, 3, 4]);
    const resumed = await WalWriter.resume<string>(t.dir);
    expect(await resumed.append('k')).toBe(11);
    await resumed.close();
    expect((await readRaw(t.dir, SEG(6))).subarray(0, 28)).toEqual(header);
  });
});
