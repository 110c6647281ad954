import { afterAll, describe, expect, it } from 'vitest';
import { type WalEntry, WalReader, type WalRecord, WalWriter, walEntrySchema } from '../src/index.js';
import { removeWalTempRoots, walBackends } from './wal-harness.js';

afterAll(removeWalTempRoots);

describe.each(walBackends)('WAL quick start from the seed README ($name)', (backend) => {
  it('assigns ids 1 and 2, reports lastEntryId 2, and replays them in order', async () => {
    const dir = await backend.create();

    // Write
    const w = await WalWriter.create<WalEntry>(dir, { schema: walEntrySchema });
    expect(w.lastEntryId).toBeUndefined();
    await w.append({ type: 'AddSegment', segmentId: 1, docCount: 100 });
    await w.append({ type: 'DeleteDocuments', deletes: [[1, 42]] });
    await w.flush();
    expect(w.lastEntryId).toBe(2);

    // Recover
    const records = await new WalReader<WalEntry>(dir, { schema: walEntrySchema }).replay();
    expect(records).toHaveLength(2);
    expect(records[0]!.entryId).toBe(1); // entry id assigned by the writer
    expect(records[1]!.entryId).toBe(2);
    expect(records.map((r) => r.payload)).toEqual([
      { type: 'AddSegment', segmentId: 1, docCount: 100 },
      { type: 'DeleteDocuments', deletes: [[1, 42]] },
    ]);
    await w.close();
  });

  it('appendBatch assigns contiguous ids with one flush, and replayEach streams them with a report', async () => {
    const dir = await backend.create();
    const w = await WalWriter.create<WalEntry>(dir, { schema: walEntrySchema, flushPolicy: 'perAppend' });
    await w.append({ type: 'AddSegment', segmentId: 1, docCount: 100 });
    const ids = await w.appendBatch([
      { type: 'AddSegment', segmentId: 3, docCount: 50 },
      { type: 'DeleteDocuments', deletes: [[1, 10]] },
    ]);
    expect(ids).toEqual([2, 3]);
    await w.close();

    const seen: WalRecord<WalEntry>[] = [];
    const report = await new WalReader<WalEntry>(dir, { schema: walEntrySchema }).replayEach((record) => {
      seen.push(record);
    });
    expect(seen.map((r) => r.entryId)).toEqual([1, 2, 3]);
    expect(report).toMatchObject({
      mode: 'strict',
      reason: 'clean-end',
      segmentId: 1,
      bytesDropped: 0,
      entriesReplayed: 3,
      firstEntryId: 1,
      lastEntryId: 3,
      nextEntryId: 4,
    });
  });

  it('create refuses a directory with segments; resume continues the ids', async () => {
    const dir = await backend.create();
    const w = await WalWriter.create(dir);
    await w.append('a');
    await w.close();
    await expect(WalWriter.create(dir)).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
    const resumed = await WalWriter.resume(dir);
    expect(resumed.lastEntryId).toBe(1);
    expect(await resumed.append('b')).toBe(2);
    await resumed.close();
    expect(await new WalReader(dir).replay()).toEqual([
      { entryId: 1, payload: 'a' },
      { entryId: 2, payload: 'b' },
    ]);
  });

  it('resume opens an empty directory as a fresh WAL', async () => {
    const dir = await backend.create();
    const w = await WalWriter.resume<string>(dir);
    expect(w.lastEntryId).toBeUndefined();
    expect(w.resumeReport).toMatchObject({ reason: 'clean-end', segmentCount: 0, entriesReplayed: 0 });
    expect(await w.append('first')).toBe(1);
    await w.close();
    expect(await new WalReader(dir).replay()).toEqual([{ entryId: 1, payload: 'first' }]);
  });

  it('every WalEntry variant round-trips through the schema-checked codec', async () => {
    const dir = await backend.create();
    const entries: WalEntry[] = [
      { type: 'AddSegment', segmentId: 1, docCount: 100 },
      { type: 'DeleteDocuments', deletes: [[1, 42]] },
      { type: 'StartMerge', mergeId: 7, segmentIds: [1, 2] },
      { type: 'CancelMerge', mergeId: 7 },
      { type: 'StartMerge', mergeId: 8, segmentIds: [1, 2] },
      {
        type: 'EndMerge',
        mergeId: 8,
        newSegmentId: 3,
        docCount: 150,
        segmentIds: [1, 2],
        remappedDeletes: [[3, 9]],
      },
      { type: 'EndMerge', mergeId: 9, newSegmentId: 4, docCount: 1 },
      { type: 'Checkpoint', checkpointPath: 'checkpoints/c1.ckp', lastEntryId: 7 },
    ];
    const w = await WalWriter.create<WalEntry>(dir, { schema: walEntrySchema });
    await w.appendBatch(entries);
    await w.close();
    const replayed = await new WalReader<WalEntry>(dir, { schema: walEntrySchema }).replay();
    expect(replayed.map((r) => r.payload)).toEqual(entries);
  });
});
