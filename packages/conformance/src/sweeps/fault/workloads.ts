import {
  CheckpointPublisher,
  checkpointPathFor,
  type Directory,
  type WalEntry,
  WalWriter,
  walEntrySchema,
} from '@durability/core';
import { SegmentHistory } from '../segment-history.js';

/** The canonical workloads of the fault sweep (issue 5: W1 and W2). */
export type WorkloadName = 'W1' | 'W2';

export const WORKLOAD_NAMES: readonly WorkloadName[] = ['W1', 'W2'];

/** W1 segments: about 4 frames each, so 64 appends rotate about 15 times (≥ 4 required). */
export const W1_SEGMENT_BYTES = 256;
/** W2 segments: small enough that every publish has whole segments to truncate. */
export const W2_SEGMENT_BYTES = 200;
const HISTORY_SEED = 0xfa17;

/** What one run of a workload did, for the oracle. */
export interface WorkloadRun {
  /** Every entry handed to the writer (publisher markers included), by id. */
  readonly history: SegmentHistory;
  /** Highest id a resolved `flushAndSync` or `publish` acknowledged as durable. */
  acknowledged: number;
  /** The first rejection and the step it came from. */
  failure: { step: string; error: unknown } | undefined;
  /** The writer, once opened. */
  wal: WalWriter<WalEntry> | undefined;
  /** Durable calls that were pending when the failure surfaced; each must reject (fail-stop). */
  pendingDurable: Promise<unknown>[];
  /** Publishes that completed, with the segments each truncated. */
  publishes: { markerEntryId: number; deletedSegments: number }[];
}

export const writerOptions = (name: WorkloadName) => ({
  schema: walEntrySchema,
  segmentSizeBytes: name === 'W1' ? W1_SEGMENT_BYTES : W2_SEGMENT_BYTES,
});

/** Runs a workload to its end or its first failure; never throws. */
export async function runWorkload(name: WorkloadName, dir: Directory): Promise<WorkloadRun> {
  const run: WorkloadRun = {
    history: new SegmentHistory(HISTORY_SEED),
    acknowledged: 0,
    failure: undefined,
    wal: undefined,
    pendingDurable: [],
    publishes: [],
  };
  const step = async (label: string, action: () => Promise<void>): Promise<boolean> => {
    try {
      await action();
      return true;
    } catch (error) {
      run.failure = { step: label, error };
      return false;
    }
  };
  const opened = await step('create', async () => {
    run.wal = await WalWriter.create<WalEntry>(dir, writerOptions(name));
  });
  if (!opened) return run;
  const ok = name === 'W1' ? await w1(run, step) : await w2(run, dir, step);
  if (ok) await step('close', () => run.wal!.close());
  return run;
}

type Step = (label: string, action: () => Promise<void>) => Promise<boolean>;

/**
 * W1: 64 appends in 8 batches, one `flushAndSync` per batch, pipelined: batch b+1 is appended and its
 * `flushAndSync` requested before batch b's resolves, so when a sync fails the next one is a pending
 * durable append that must reject too.
 */
async function w1(run: WorkloadRun, step: Step): Promise<boolean> {
  const wal = run.wal!;
  let previous: { sync: Promise<void>; through: number } | undefined;
  for (let batch = 0; batch < 8; batch++) {
    const appends: Promise<number>[] = [];
    const appended = await step(`append batch ${batch}`, async () => {
      for (let i = 0; i < 8; i++) appends.push(wal.append(run.history.next()));
      await Promise.all(appends);
    });
    if (!appended) {
      if (previous) run.pendingDurable.push(previous.sync);
      return false;
    }
    const current = { sync: wal.flushAndSync(), through: run.history.entries.length };
    current.sync.catch(() => undefined); // judged by the oracle when it is pending at a failure
    if (previous) {
      const last = previous;
      const synced = await step(`flushAndSync batch ${batch - 1}`, async () => {
        await last.sync;
        run.acknowledged = last.through;
      });
      if (!synced) {
        run.pendingDurable.push(current.sync);
        return false;
      }
    }
    previous = current;
  }
  const last = previous!;
  return step('flushAndSync batch 7', async () => {
    await last.sync;
    run.acknowledged = last.through;
  });
}

/**
 * W2: three publish cycles. Each appends 10 entries, `flushAndSync`s them, then publishes the index
 * through the last one (`CheckpointPublisher`: WAL sync, checkpoint, marker, truncation), removing the
 * previous checkpoint; then 2 more entries are appended and synced.
 */
async function w2(run: WorkloadRun, dir: Directory, step: Step): Promise<boolean> {
  const wal = run.wal!;
  const publisher = new CheckpointPublisher(dir);
  let previousPath: string | undefined;
  for (let cycle = 0; cycle < 3; cycle++) {
    const appended = await step(`cycle ${cycle}: append and flushAndSync`, async () => {
      for (let i = 0; i < 10; i++) await wal.append(run.history.next());
      await wal.flushAndSync();
      run.acknowledged = run.history.entries.length;
    });
    if (!appended) return false;
    const lastAppliedId = run.history.entries.length;
    const path = checkpointPathFor(lastAppliedId);
    const remove = previousPath ? [previousPath] : [];
    // The marker's id is the next one: recorded as attempted before the call.
    run.history.record({ type: 'Checkpoint', checkpointPath: path, lastEntryId: lastAppliedId });
    const published = await step(`cycle ${cycle}: publish`, async () => {
      const result = await publisher.publish(
        wal,
        run.history.stateAfter(lastAppliedId),
        lastAppliedId,
        path,
        {
          removeCheckpoints: remove,
        },
      );
      run.acknowledged = result.markerEntryId;
      run.publishes.push({
        markerEntryId: result.markerEntryId,
        deletedSegments: result.truncation.deletedSegmentIds.length,
      });
    });
    if (!published) return false;
    previousPath = path;
  }
  return step('append and flushAndSync after the last publish', async () => {
    for (let i = 0; i < 2; i++) await wal.append(run.history.next());
    await wal.flushAndSync();
    run.acknowledged = run.history.entries.length;
  });
}
