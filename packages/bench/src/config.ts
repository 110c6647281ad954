/** Sizes of one run. `--quick` (or `BENCH_QUICK=1`) shrinks everything to finish in under 2 minutes. */
export interface BenchConfig {
  quick: boolean;
  reps: number;
  /** Records per buffered-append repetition (ours and the raw framed log). */
  appendRecords: number;
  /**
   * Repetitions of the buffered-append contenders (run round-robin): each writes about 100 MiB into the
   * page cache, whose cost on this kind of VM swings ±15% from run to run, so the median needs more than 3.
   */
  appendReps: number;
  /** Records per repetition for peers in the buffered rows (SQLite one-per-call is ~15× slower). */
  peerBufferedRecords: number;
  /** Records per repetition of the durable single-writer row. */
  durableRecords: number;
  /** Durable appends per repetition, per concurrency level. */
  concurrentRecords: Record<number, number>;
  /** Records of the replay row (target: 1M) and of the flat-RSS row (target: 10M). */
  replayRecords: number;
  largeReplayRecords: number;
  /** Repetitions of the 1M-record replays, ours and raw (each a child process). */
  replayReps: number;
  /** Repetitions of each replay of the large WAL (each a child process). */
  largeReps: number;
  publishes: number;
  checkpointSegments: number;
  memoryRecords: number;
  fsyncProbes: number;
}

export const CONCURRENCY_LEVELS = [1, 8, 64, 256] as const;

export function benchConfig(quick: boolean): BenchConfig {
  if (quick) {
    return {
      quick,
      reps: 3,
      appendRecords: 200_000,
      appendReps: 3,
      peerBufferedRecords: 20_000,
      durableRecords: 300,
      concurrentRecords: { 1: 300, 8: 1_600, 64: 6_400, 256: 12_800 },
      replayRecords: 200_000,
      largeReplayRecords: 2_000_000,
      replayReps: 3,
      largeReps: 1,
      publishes: 8,
      checkpointSegments: 1_000,
      memoryRecords: 200_000,
      fsyncProbes: 100,
    };
  }
  return {
    quick,
    reps: 3,
    appendRecords: 1_000_000,
    appendReps: 7,
    peerBufferedRecords: 100_000,
    durableRecords: 2_000,
    concurrentRecords: { 1: 2_000, 8: 10_000, 64: 64_000, 256: 128_000 },
    replayRecords: 1_000_000,
    largeReplayRecords: 10_000_000,
    replayReps: 7,
    largeReps: 3,
    publishes: 20,
    checkpointSegments: 1_000,
    memoryRecords: 1_000_000,
    fsyncProbes: 500,
  };
}
