import { CheckpointFile, type Directory, type ReplayMode, WalReader } from '@durability/core';

/** One entry as a replay returns it. */
export interface ReplayedEntry {
  readonly entryId: number;
  readonly payload: unknown;
}

/**
 * The readers a sweep judges. The defaults are `@durability/core`'s; a test passes its own to prove the
 * sweep catches a broken one (the kill set), and a third party can pass a reader of the same formats.
 */
export interface ReaderImplementation {
  /** Every entry of the WAL in `dir`, in order, or a rejection. Default: `new WalReader(dir).replay({ mode })`. */
  replay(dir: Directory, mode: ReplayMode): Promise<readonly ReplayedEntry[]>;
  /** The checkpoint at `path`, verified, or a rejection. Default: `new CheckpointFile(dir).read(path)`. */
  readCheckpoint(dir: Directory, path: string): Promise<{ state: unknown; lastAppliedId: number }>;
}

export const CORE_READERS: ReaderImplementation = {
  replay: (dir, mode) => new WalReader(dir).replay({ mode }),
  readCheckpoint: (dir, path) => new CheckpointFile(dir).read(path),
};

/** The core readers with the given ones substituted. */
export function readers(implementation: Partial<ReaderImplementation> | undefined): ReaderImplementation {
  return { ...CORE_READERS, ...implementation };
}
