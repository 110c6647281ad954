/** How a replay treats damage at the end of the final segment. */
export type { ReadMode as ReplayMode } from '../options/shared-options.js';

import type { ReadMode as ReplayMode } from '../options/shared-options.js';

/**
 * Why a replay stopped where it did.
 * - `clean-end`: every byte of every segment belongs to a valid frame.
 * - `torn-tail`: the final segment ends in an incomplete frame (fewer than 20 bytes, not all zero, or a
 *   checked header whose frame runs past the end of the file).
 * - `zero-filled-tail`: the file grew but some data never reached the disk: every byte from a frame
 *   boundary to the end of the final segment is zero, or its last frame is damaged and torn by the
 *   torn-write rule (an all-zero sector-aligned chunk in it, only zeros after it; `encoding/torn-write.ts`).
 * - `torn-segment-header`: the final segment's header is incomplete or zero-filled (a crash while the
 *   segment was being created).
 */
export type StopReason = 'clean-end' | 'torn-tail' | 'zero-filled-tail' | 'torn-segment-header';

/** One replayed entry. */
export interface WalRecord<E> {
  /** The id the writer assigned (stored in the frame header, never in the payload). */
  entryId: number;
  payload: E;
}

/** What a replay found: where it stopped, why, and what it dropped. */
export interface ReplayReport {
  mode: ReplayMode;
  reason: StopReason;
  /** The segment where replay stopped (the final one); `undefined` for a WAL without segments. */
  segmentId: number | undefined;
  /** Directory-relative path of that segment. */
  path: string | undefined;
  /** Byte offset in that segment where valid data ends (its length on a clean end). */
  offset: number;
  /** Bytes after `offset` that were not replayed (0 on a clean end). */
  bytesDropped: number;
  /** Number of segments read. */
  segmentCount: number;
  /** Number of entries delivered. */
  entriesReplayed: number;
  /** Id of the first entry delivered; above 1 once a prefix was truncated after a checkpoint. */
  firstEntryId: number | undefined;
  /** Id of the last entry delivered. */
  lastEntryId: number | undefined;
  /**
   * The id the next appended entry gets: `lastEntryId + 1`, or the final segment's `start_entry_id`
   * when no frame survives. `undefined` only when no segment header says (an empty WAL, or a torn
   * header in its only segment).
   */
  nextEntryId: number | undefined;
}
