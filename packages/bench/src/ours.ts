import { blockingFsOps, FsDirectory, type FsIoMode, interceptFsOps, nodeFsOps } from '@durability/backend-fs';
import {
  CheckpointPublisher,
  checkpointPathFor,
  type Directory,
  type RecoveredState,
  type WalEntry,
  WalWriter,
  type WalWriterOptions,
} from '@durability/core';
import { type BenchRecord, POOL_SIZE, RECORD_POOL, recordAt } from './records.js';
import { perSecond } from './stats.js';

/**
 * A `FsDirectory` that counts the syncs it issues: fdatasync and fsync (files and directories), and
 * writes through a file's `O_DSYNC` descriptor (each one a data sync of its own).
 */
export function countingFsDirectory(
  root: string,
  io: FsIoMode = 'async',
): { dir: FsDirectory; syncs: () => number } {
  let syncs = 0;
  const ops = interceptFsOps(io === 'blocking' ? blockingFsOps : nodeFsOps, (call, proceed) => {
    if (call.op === 'fh.datasync' || call.op === 'fh.sync' || (call.op === 'fh.write' && call.dataSync))
      syncs++;
    return proceed();
  });
  return { dir: new FsDirectory(root, { ops }), syncs: () => syncs };
}

/** `await append` per record, no sync; the final `flush` is timed too. Returns records/s. */
export async function oursBuffered(
  dir: Directory,
  records: number,
  options?: WalWriterOptions<BenchRecord>,
): Promise<number> {
  const wal = await WalWriter.create<BenchRecord>(dir, options);
  const start = performance.now();
  for (let i = 0; i < records; i++) await wal.append(recordAt(i));
  await wal.flush();
  const rate = perSecond(records, performance.now() - start);
  await wal.close();
  return rate;
}

/** `appendBatch` of `batch` records at a time, no sync; the final `flush` is timed too. */
export async function oursBatch(dir: Directory, records: number, batch: number): Promise<number> {
  const batches: BenchRecord[][] = [];
  for (let i = 0; i + batch <= POOL_SIZE; i += batch) batches.push(RECORD_POOL.slice(i, i + batch));
  const wal = await WalWriter.create<BenchRecord>(dir);
  const start = performance.now();
  for (let done = 0, k = 0; done < records; done += batch, k++) {
    await wal.appendBatch(batches[k % batches.length]!);
  }
  await wal.flush();
  const rate = perSecond(Math.ceil(records / batch) * batch, performance.now() - start);
  await wal.close();
  return rate;
}

/**
 * `concurrency` writers, each doing `append` + `flushAndSync` per record (a durable append), until
 * `records` are acknowledged. Latencies (ms per durable append) go to `latencies` when given.
 */
export async function oursDurable(
  dir: Directory,
  records: number,
  concurrency: number,
  latencies?: number[],
): Promise<number> {
  const wal = await WalWriter.create<BenchRecord>(dir);
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < records; i = next++) {
        const t = latencies ? performance.now() : 0;
        await wal.append(recordAt(i));
        await wal.flushAndSync();
        latencies?.push(performance.now() - t);
      }
    }),
  );
  const rate = perSecond(records, performance.now() - start);
  await wal.close();
  return rate;
}

/** Writes a WAL of `records` records (setup for replay and resume rows) with the default options. */
export async function writeOurWal(dir: Directory, records: number): Promise<void> {
  const wal = await WalWriter.create<BenchRecord>(dir);
  for (let i = 0; i < records; i++) await wal.append(recordAt(i));
  await wal.flushAndSync();
  await wal.close();
}

/** A segment-index state of `segments` segments, each with a few deleted documents. */
function segmentIndexState(segments: number, lastEntryId: number): RecoveredState {
  return {
    segments: Array.from({ length: segments }, (_, i) => ({
      segmentId: i + 1,
      docCount: 10_000 + i,
      deletedDocs: new Set([1, 7, 42, i]),
    })),
    pendingMerges: [],
    lastEntryId,
  };
}

/**
 * Checkpoint publish latency: `publishes` times, append `entriesBetween` AddSegment entries, then
 * `CheckpointPublisher.publish` a `segments`-segment state (durable write, durable marker, WAL
 * truncation, removal of the previous checkpoint). Returns milliseconds per publish and the checkpoint
 * size in bytes.
 */
export async function oursCheckpoint(
  dir: Directory,
  publishes: number,
  segments: number,
  entriesBetween: number,
): Promise<{ latencies: number[] }> {
  const wal = await WalWriter.create<WalEntry>(dir, { segmentSizeBytes: 64 * 1024 });
  const publisher = new CheckpointPublisher(dir);
  const latencies: number[] = [];
  let previous: string | undefined;
  for (let p = 0; p < publishes; p++) {
    for (let i = 0; i < entriesBetween; i++) {
      await wal.append({ type: 'AddSegment', segmentId: p * entriesBetween + i + 1, docCount: 100 });
    }
    const last = wal.lastEntryId ?? 0;
    const path = checkpointPathFor(last);
    const start = performance.now();
    await publisher.publish(wal, segmentIndexState(segments, last), last, path, {
      removeCheckpoints: previous ? [previous] : [],
    });
    latencies.push(performance.now() - start);
    previous = path;
  }
  await wal.close();
  return { latencies };
}
