import { MemoryDirectory } from '@durability/backend-memory';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CheckpointFile,
  CheckpointPublisher,
  CorruptionError,
  checkpointPathFor,
  type Directory,
  DurabilityError,
  findLatestCheckpointMarker,
  InvalidConfigError,
  NotFoundError,
  RecoveryManager,
  recoverWithWal,
  SegmentIndex,
  type WalEntry,
  WalWriter,
  walEntrySchema,
} from '../src/index.js';
import { backends, recordingReads, removeTempRoots, writeRaw } from './support/backends.js';
import { summary } from './support/segment-workload.js';

afterAll(removeTempRoots);

const openWal = (dir: Directory, segmentSizeBytes = 160) =>
  WalWriter.create<WalEntry>(dir, { schema: walEntrySchema, segmentSizeBytes });

async function appendAll(wal: WalWriter<WalEntry>, entries: WalEntry[]): Promise<void> {
  for (const entry of entries) await wal.append(entry);
  await wal.flushAndSync();
}

async function failure(promise: Promise<unknown>): Promise<DurabilityError> {
  try {
    await promise;
  } catch (error) {
    if (DurabilityError.is(error)) return error;
    throw error;
  }
  throw new Error('expected a typed error, got a result');
}

const seg = (segmentId: number, docCount: number, deleted: number[] = []) => ({
  segmentId,
  docCount,
  deletedDocs: new Set(deleted),
});

describe.each(backends)('recovery on $name', (backend) => {
  it("the seed's lifecycle: add segment, delete docs, checkpoint, more WAL (merges included), recover from checkpoint + suffix", async () => {
    const dir = await backend.create();
    const wal = await openWal(dir);
    await appendAll(wal, [
      { type: 'AddSegment', segmentId: 1, docCount: 100 },
      { type: 'DeleteDocuments', deletes: [[1, 42]] },
      { type: 'AddSegment', segmentId: 2, docCount: 50 },
      { type: 'StartMerge', mergeId: 7, segmentIds: [1, 2] },
      { type: 'DeleteDocuments', deletes: [[2, 3]] }, // lands on an input during the merge
    ]);
    const manager = new RecoveryManager(dir);
    const before = await manager.recover();
    expect(before).toMatchObject({
      segments: [seg(1, 100, [42]), seg(2, 50, [3])],
      pendingMerges: [{ mergeId: 7, segmentIds: [1, 2] }],
      lastEntryId: 5,
    });

    const path = checkpointPathFor(before.lastEntryId);
    const published = await new CheckpointPublisher(dir).publish(wal, before, before.lastEntryId, path);
    expect(published).toMatchObject({ markerEntryId: 6, checkpoint: { durable: backend.durable } });
    expect(published.truncation.deletedSegmentIds.length).toBeGreaterThan(0); // the StartMerge is gone

    await appendAll(wal, [
      // No segmentIds: the merge's inputs come from the checkpoint's pending merge.
      {
        type: 'EndMerge',
        mergeId: 7,
        newSegmentId: 3,
        docCount: 150,
        remappedDeletes: [
          [3, 42],
          [3, 103],
        ],
      },
      { type: 'AddSegment', segmentId: 4, docCount: 10 },
      {
        type: 'DeleteDocuments',
        deletes: [
          [4, 0],
          [4, 9],
        ],
      },
      { type: 'StartMerge', mergeId: 8, segmentIds: [4, 3] },
      { type: 'CancelMerge', mergeId: 8 },
      { type: 'AddSegment', segmentId: 5, docCount: 1 },
    ]);
    await wal.close();

    const expected = {
      segments: [seg(3, 150, [42, 103]), seg(4, 10, [0, 9]), seg(5, 1)],
      pendingMerges: [],
      lastEntryId: 12,
    };
    const latest = await manager.recoverLatest();
    expect(latest).toMatchObject(expected);
    expect(latest.checkpoint).toEqual({ path, lastAppliedId: 5, markerEntryId: 6 });
    expect(latest.report).toMatchObject({ reason: 'clean-end', lastEntryId: 12 });
    expect(await manager.recover(path)).toMatchObject(expected);
    expect(await manager.recoverBestEffort(path)).toMatchObject(expected);
    // Without the checkpoint the truncated WAL is not enough: an error, never a smaller state.
    const error = await failure(manager.recover());
    expect(error).toBeInstanceOf(CorruptionError);
    expect(error.message).toMatch(/no checkpoint covers/);
  });

  it('an empty directory recovers to the empty index; so does a WAL with no entries', async () => {
    const dir = await backend.create();
    const manager = new RecoveryManager(dir);
    expect(await manager.recoverLatest()).toMatchObject({ segments: [], pendingMerges: [], lastEntryId: 0 });
    await (await openWal(dir)).close();
    expect(await manager.recover()).toMatchObject({ segments: [], lastEntryId: 0, checkpoint: undefined });
  });

  describe('invalid transitions are a CorruptionError in every mode, never ignored', () => {
    const base: WalEntry[] = [
      { type: 'AddSegment', segmentId: 1, docCount: 10 },
      { type: 'AddSegment', segmentId: 2, docCount: 10 },
      { type: 'StartMerge', mergeId: 1, segmentIds: [1] },
    ];
    const invalid: [string, WalEntry, RegExp][] = [
      ['AddSegment of a live segment', { type: 'AddSegment', segmentId: 2, docCount: 1 }, /already exists/],
      ['delete in an unknown segment', { type: 'DeleteDocuments', deletes: [[9, 0]] }, /does not exist/],
      ['delete of a doc id ≥ docCount', { type: 'DeleteDocuments', deletes: [[2, 10]] }, /out of range/],
      [
        'StartMerge of a pending merge id',
        { type: 'StartMerge', mergeId: 1, segmentIds: [2] },
        /already pending/,
      ],
      [
        'StartMerge of an unknown segment',
        { type: 'StartMerge', mergeId: 2, segmentIds: [9] },
        /does not exist/,
      ],
      ['StartMerge of no segments', { type: 'StartMerge', mergeId: 2, segmentIds: [] }, /at least one/],
      [
        'StartMerge naming a segment twice',
        { type: 'StartMerge', mergeId: 2, segmentIds: [2, 2] },
        /named twice/,
      ],
      [
        'StartMerge of a segment in another merge',
        { type: 'StartMerge', mergeId: 2, segmentIds: [1] },
        /belongs to pending merge 1/,
      ],
      ['CancelMerge of an unknown merge', { type: 'CancelMerge', mergeId: 5 }, /no such pending merge/],
      [
        'EndMerge of an unknown merge without segmentIds',
        { type: 'EndMerge', mergeId: 5, newSegmentId: 3, docCount: 1 },
        /no pending merge/,
      ],
      [
        'EndMerge whose segmentIds differ from the StartMerge',
        { type: 'EndMerge', mergeId: 1, newSegmentId: 3, docCount: 1, segmentIds: [1, 2] },
        /differ from the StartMerge/,
      ],
      [
        'EndMerge of unknown segments',
        { type: 'EndMerge', mergeId: 5, newSegmentId: 3, docCount: 1, segmentIds: [8] },
        /does not exist/,
      ],
      [
        'EndMerge into a live segment id',
        { type: 'EndMerge', mergeId: 1, newSegmentId: 2, docCount: 1 },
        /already live/,
      ],
      [
        'EndMerge with a remapped delete in another segment',
        { type: 'EndMerge', mergeId: 1, newSegmentId: 3, docCount: 5, remappedDeletes: [[1, 0]] },
        /names another segment/,
      ],
      [
        'EndMerge with a remapped doc id ≥ docCount',
        { type: 'EndMerge', mergeId: 1, newSegmentId: 3, docCount: 5, remappedDeletes: [[3, 5]] },
        /out of range/,
      ],
      [
        'a Checkpoint marker covering itself',
        { type: 'Checkpoint', checkpointPath: 'c.vckp', lastEntryId: 4 },
        /only cover earlier entries/,
      ],
    ];
    it.each(invalid)('%s', async (_, entry, message) => {
      const dir = await backend.create();
      const wal = await openWal(dir);
      await appendAll(wal, [...base, entry]);
      await wal.close();
      const manager = new RecoveryManager(dir);
      const attempts = [
        () => manager.recover(),
        () => manager.recoverBestEffort(),
        () => manager.recoverLatest({ mode: 'best-effort' }),
      ];
      for (const attempt of attempts) {
        const error = await failure(attempt());
        expect(error).toBeInstanceOf(CorruptionError);
        expect(error.message).toMatch(/entry 4 /);
        expect(error.message).toMatch(message);
      }
    });
  });

  describe('coverage rules', () => {
    /** Ten entries in several segments, published at 6 and truncated. */
    async function truncatedWal(dir: Directory) {
      const wal = await openWal(dir, 100);
      const entries: WalEntry[] = Array.from({ length: 6 }, (_, i) => ({
        type: 'AddSegment',
        segmentId: i + 1,
        docCount: 5,
      }));
      await appendAll(wal, entries);
      const state = await new RecoveryManager(dir).recover();
      const path = checkpointPathFor(6);
      const result = await new CheckpointPublisher(dir).publish(wal, state, 6, path);
      expect(result.truncation.firstRemainingEntryId).toBeGreaterThan(1);
      await appendAll(wal, [{ type: 'DeleteDocuments', deletes: [[1, 1]] }]);
      await wal.close();
      return { path };
    }

    it('a WAL whose first entry is above 1 with no covering checkpoint is an error', async () => {
      const dir = await backend.create();
      await truncatedWal(dir);
      const manager = new RecoveryManager(dir);
      expect(await failure(manager.recover())).toBeInstanceOf(CorruptionError);
      expect(await failure(manager.recoverBestEffort())).toBeInstanceOf(CorruptionError);
    });

    it('once segments are truncated, a missing checkpoint named by the newest marker is an error in every mode', async () => {
      const dir = await backend.create();
      const { path } = await truncatedWal(dir);
      await dir.delete(path);
      const manager = new RecoveryManager(dir);
      expect(await failure(manager.recoverLatest())).toBeInstanceOf(NotFoundError);
      expect(await failure(manager.recoverLatest({ mode: 'best-effort' }))).toBeInstanceOf(NotFoundError);
    });

    it('a corrupt checkpoint named by the newest marker is an error in every mode', async () => {
      const dir = await backend.create();
      const { path } = await truncatedWal(dir);
      const bytes = await dir.readFile(path);
      bytes[bytes.length - 1]! ^= 0x10;
      await writeRaw(dir, path, bytes);
      const manager = new RecoveryManager(dir);
      expect(await failure(manager.recoverLatest())).toBeInstanceOf(CorruptionError);
      expect(await failure(manager.recoverLatest({ mode: 'best-effort' }))).toBeInstanceOf(CorruptionError);
    });

    it('a damaged checkpoint is an error even while the WAL is whole (no silent fallback)', async () => {
      const dir = await backend.create();
      const wal = await openWal(dir, 10_000);
      await appendAll(wal, [{ type: 'AddSegment', segmentId: 1, docCount: 1 }]);
      await new CheckpointPublisher(dir).publish(wal, await new RecoveryManager(dir).recover(), 1, 'c.vckp');
      await wal.close();
      const bytes = await dir.readFile('c.vckp');
      await writeRaw(dir, 'c.vckp', bytes.subarray(0, bytes.length - 1));
      expect(await failure(new RecoveryManager(dir).recoverLatest({ mode: 'best-effort' }))).toBeInstanceOf(
        CorruptionError,
      );
    });

    it('a checkpoint the WAL was truncated past is an error, however it is reached (marker or path)', async () => {
      const dir = await backend.create();
      const { path } = await truncatedWal(dir);
      // Replace the checkpoint with a valid one that covers only entry 1: entries 2.. are gone.
      const index = new SegmentIndex();
      index.apply({ type: 'AddSegment', segmentId: 1, docCount: 5 }, 1);
      await new CheckpointFile<unknown>(dir).write(path, index.toCheckpointState(), 1);
      const manager = new RecoveryManager(dir);
      for (const attempt of [
        () => manager.recoverLatest({ mode: 'best-effort' }),
        () => manager.recover(path),
      ]) {
        const error = await failure(attempt());
        expect(error).toBeInstanceOf(CorruptionError);
        expect(error.message).toMatch(/entries in between are missing/);
      }
    });

    it('a checkpoint older than its marker still recovers fully while the WAL holds every later entry', async () => {
      const dir = await backend.create();
      const wal = await openWal(dir, 10_000); // one segment: nothing is truncated
      await appendAll(wal, [
        { type: 'AddSegment', segmentId: 1, docCount: 5 },
        { type: 'AddSegment', segmentId: 2, docCount: 5 },
      ]);
      await new CheckpointPublisher(dir).publish(wal, await new RecoveryManager(dir).recover(), 2, 'c.vckp');
      await wal.close();
      const index = new SegmentIndex();
      index.apply({ type: 'AddSegment', segmentId: 1, docCount: 5 }, 1);
      await new CheckpointFile<unknown>(dir).write('c.vckp', index.toCheckpointState(), 1);
      const recovered = await new RecoveryManager(dir).recoverLatest();
      expect(recovered).toMatchObject({ segments: [seg(1, 5), seg(2, 5)], lastEntryId: 3 });
      expect(recovered.checkpoint).toEqual({ path: 'c.vckp', lastAppliedId: 1, markerEntryId: 3 });
    });

    it('a checkpoint ahead of the WAL is an error (resuming would reuse its ids)', async () => {
      const dir = await backend.create();
      const wal = await openWal(dir);
      await appendAll(wal, [{ type: 'AddSegment', segmentId: 1, docCount: 5 }]);
      await wal.close();
      await new CheckpointFile<unknown>(dir).write('ahead.vckp', { segments: [], pendingMerges: [] }, 9);
      const error = await failure(new RecoveryManager(dir).recover('ahead.vckp'));
      expect(error).toBeInstanceOf(CorruptionError);
      expect(error.message).toMatch(/ahead of the WAL/);
      // With no WAL at all, too.
      const empty = await backend.create();
      await new CheckpointFile<unknown>(empty).write('ahead.vckp', { segments: [], pendingMerges: [] }, 9);
      expect((await failure(new RecoveryManager(empty).recover('ahead.vckp'))).message).toMatch(
        /ahead of the WAL/,
      );
    });

    it('a checkpoint newer than its marker (same path republished, crash before the new marker) recovers fully', async () => {
      const dir = await backend.create();
      const wal = await openWal(dir, 100);
      await appendAll(wal, [{ type: 'AddSegment', segmentId: 1, docCount: 5 }]);
      const publisher = new CheckpointPublisher(dir);
      await publisher.publish(wal, await new RecoveryManager(dir).recover(), 1, 'checkpoints/current.vckp');
      await appendAll(wal, [
        { type: 'AddSegment', segmentId: 2, docCount: 5 },
        { type: 'DeleteDocuments', deletes: [[2, 4]] },
      ]);
      const full = await new RecoveryManager(dir).recover('checkpoints/current.vckp');
      // Step 1 of a second publish to the same path, then a crash: no marker for it.
      await new CheckpointFile<unknown>(dir).write(
        'checkpoints/current.vckp',
        RecoveryManager.toCheckpointState(full),
        4,
      );
      await appendAll(wal, [{ type: 'AddSegment', segmentId: 3, docCount: 1 }]);
      await wal.close();
      const recovered = await new RecoveryManager(dir).recoverLatest();
      expect(recovered.checkpoint).toEqual({
        path: 'checkpoints/current.vckp',
        lastAppliedId: 4,
        markerEntryId: 2,
      });
      expect(summary(recovered).state.segments.map((s) => s.segmentId)).toEqual([1, 2, 3]);
      expect(recovered.lastEntryId).toBe(5);
    });
  });

  it('recoverWithWal: any state and entry type; applies only ids above the checkpoint, streaming', async () => {
    type Op = { account: string; delta: number } | { mark: string; upTo: number };
    type Balances = Record<string, number>;
    const inner = await backend.create();
    const { dir, readLengths } = recordingReads(inner);
    const wal = await WalWriter.create<Op>(dir, { segmentSizeBytes: 64 });
    for (let i = 1; i <= 30; i++) await wal.append({ account: i % 2 ? 'ada' : 'bob', delta: i });
    await wal.flush();
    const apply = (state: Balances, op: Op) => {
      if ('account' in op) state[op.account] = (state[op.account] ?? 0) + op.delta;
      return state;
    };
    const full = await recoverWithWal<Balances, Op>(dir, { initial: {}, apply, wal: { chunkBytes: 256 } });
    expect(full.state).toEqual({ ada: 225, bob: 240 });
    expect(full).toMatchObject({
      lastAppliedId: 30,
      entriesApplied: 30,
      entriesSkipped: 0,
      checkpoint: undefined,
    });
    expect(Math.max(...readLengths)).toBeLessThanOrEqual(256); // streamed in bounded reads

    // A checkpoint through entry 20, a marker, then recovery from it applies only 21..30 (+ the marker).
    const first20: Balances = { ada: 100, bob: 110 }; // 1+3+…+19, 2+4+…+20
    await new CheckpointFile<Balances>(dir).write('bank.vckp', first20, 20);
    await wal.append({ mark: 'bank.vckp', upTo: 20 });
    await wal.close();
    const { marker } = await findLatestCheckpointMarker<Op>(dir, {
      markerOf: (op) => ('mark' in op ? { checkpointPath: op.mark, lastEntryId: op.upTo } : undefined),
    });
    expect(marker).toEqual({ entryId: 31, checkpointPath: 'bank.vckp', lastEntryId: 20 });
    const resumed = await recoverWithWal<Balances, Op>(dir, {
      checkpointPath: 'bank.vckp',
      initial: {},
      apply,
    });
    expect(resumed.state).toEqual(full.state);
    expect(resumed).toMatchObject({ lastAppliedId: 31, entriesApplied: 11, entriesSkipped: 20 });
    expect(resumed.checkpoint).toEqual({ path: 'bank.vckp', lastAppliedId: 20 });
    expect(resumed.report).toMatchObject({ reason: 'clean-end', lastEntryId: 31 });

    // apply refusing an entry stops recovery with its error.
    await expect(
      recoverWithWal<Balances, Op>(dir, {
        initial: {},
        apply: () => {
          throw new CorruptionError('refused');
        },
      }),
    ).rejects.toBeInstanceOf(CorruptionError);
    await expect(recoverWithWal(dir, { initial: {} } as never)).rejects.toBeInstanceOf(TypeError);
  });
});

describe('segment index', () => {
  it('apply is all or nothing: a refused entry leaves the index unchanged', () => {
    const index = new SegmentIndex();
    index.apply({ type: 'AddSegment', segmentId: 1, docCount: 3 }, 1);
    const before = index.toCheckpointState();
    expect(() =>
      index.apply(
        {
          type: 'DeleteDocuments',
          deletes: [
            [1, 0],
            [1, 7],
          ],
        },
        2,
      ),
    ).toThrow(CorruptionError);
    expect(() =>
      index.apply(
        {
          type: 'EndMerge',
          mergeId: 1,
          newSegmentId: 2,
          docCount: 1,
          segmentIds: [1],
          remappedDeletes: [[2, 9]],
        },
        2,
      ),
    ).toThrow(CorruptionError);
    expect(index.toCheckpointState()).toEqual(before);
  });

  it('toCheckpointState is deterministic: equal indexes built in any order give equal states and bytes', () => {
    const a = {
      segments: [seg(2, 5, [4, 0]), seg(1, 9, [8, 1, 3])],
      pendingMerges: [
        { mergeId: 4, segmentIds: [2] },
        { mergeId: 3, segmentIds: [1] },
      ],
      lastEntryId: 7,
    };
    const b = {
      segments: [seg(1, 9, [3, 8, 1]), seg(2, 5, [0, 4])],
      pendingMerges: [
        { mergeId: 3, segmentIds: [1] },
        { mergeId: 4, segmentIds: [2] },
      ],
      lastEntryId: 7,
    };
    const state = RecoveryManager.toCheckpointState(a);
    expect(state).toEqual({
      segments: [
        { segmentId: 1, docCount: 9, deletedDocs: [1, 3, 8] },
        { segmentId: 2, docCount: 5, deletedDocs: [0, 4] },
      ],
      pendingMerges: [
        { mergeId: 3, segmentIds: [1] },
        { mergeId: 4, segmentIds: [2] },
      ],
    });
    const file = (s: unknown) => new CheckpointFile<unknown>(new MemoryDirectory()).encode(s, 7);
    expect(file(RecoveryManager.toCheckpointState(b))).toEqual(file(state));
    // The seed's shape (no pendingMerges) is accepted too.
    expect(RecoveryManager.toCheckpointState({ segments: [seg(1, 1)] })).toEqual({
      segments: [{ segmentId: 1, docCount: 1, deletedDocs: [] }],
      pendingMerges: [],
    });
  });

  it('toCheckpointState refuses an inconsistent index (RangeError)', () => {
    expect(() => RecoveryManager.toCheckpointState({ segments: [seg(1, 2, [5])] })).toThrow(RangeError);
    expect(() => RecoveryManager.toCheckpointState({ segments: [seg(1, 2), seg(1, 3)] })).toThrow(RangeError);
    expect(() =>
      RecoveryManager.toCheckpointState({
        segments: [seg(1, 2)],
        pendingMerges: [{ mergeId: 1, segmentIds: [2] }],
      }),
    ).toThrow(RangeError);
  });

  it('RecoveryManager options are validated', () => {
    expect(() => new RecoveryManager(null as never, { maxCheckpointBytes: 0 })).toThrow(InvalidConfigError);
    expect(() => new RecoveryManager(null as never, { bogus: 1 } as never)).toThrow(InvalidConfigError);
  });
});
