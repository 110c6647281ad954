import {
  CheckpointPublisher,
  type Directory,
  type ReplayReport,
  type SegmentIndexCheckpoint,
  type WalEntry,
  WalWriter,
  type WalWriterOptions,
} from '@durability/core';

/** What the crash workloads need of a WAL writer; `WalWriter` is one. */
export interface WalWriterLike<E> {
  append(entry: E): Promise<number>;
  flush(): Promise<void>;
  flushAndSync(): Promise<void>;
  close(): Promise<void>;
  readonly lastEntryId: number | undefined;
  /** What `resume` found and repaired (`WalWriter.resumeReport`). */
  readonly resumeReport?: ReplayReport | undefined;
}

/**
 * The algorithms under test. The default is `@durability/core`'s; a test substitutes a deliberately
 * broken writer or publisher to prove the explorer catches it.
 */
export interface CrashImplementation {
  /** `WalWriter.create`. */
  createWriter<E>(dir: Directory, options: WalWriterOptions<E>): Promise<WalWriterLike<E>>;
  /** `WalWriter.resume`. */
  resumeWriter<E>(dir: Directory, options: WalWriterOptions<E>): Promise<WalWriterLike<E>>;
  /**
   * `CheckpointPublisher.publish`: checkpoint `state` (through `lastAppliedId`) at `path`, append its
   * marker, truncate the WAL, delete `removeCheckpoints`. Resolves once the marker is durable.
   */
  publish(
    dir: Directory,
    wal: WalWriterLike<WalEntry>,
    state: SegmentIndexCheckpoint,
    lastAppliedId: number,
    path: string,
    removeCheckpoints: readonly string[],
  ): Promise<void>;
}

export const coreImplementation: CrashImplementation = {
  createWriter: (dir, options) => WalWriter.create(dir, options),
  resumeWriter: (dir, options) => WalWriter.resume(dir, options),
  async publish(dir, wal, state, lastAppliedId, path, removeCheckpoints) {
    // CheckpointPublisher uses only `lastEntryId`, `append` and `flushAndSync` of the writer.
    await new CheckpointPublisher(dir).publish(wal as WalWriter<WalEntry>, state, lastAppliedId, path, {
      removeCheckpoints,
    });
  },
};

/** `coreImplementation` with the parts `overrides` replaces. */
export function resolveImplementation(
  overrides: Partial<CrashImplementation> | undefined,
): CrashImplementation {
  return { ...coreImplementation, ...overrides };
}
