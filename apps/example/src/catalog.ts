import type { WalEntry, WalWriterOptions } from '@durability/core';
import { walEntrySchema } from '@durability/core';

/**
 * The example's data: a segment catalog in the seed's spirit (segments added, documents deleted, a merge),
 * kept in a WAL of `WalEntry`s and recovered with `RecoveryManager`.
 *
 * Entries written by the crashing writer are a pure function of their entry id (`crashEntryFor`), so after
 * a crash every recovered entry can be checked byte for byte against what was appended.
 */

/** Small segments so that a short run rotates several times. */
export const WAL_OPTIONS: WalWriterOptions<WalEntry> = { schema: walEntrySchema, segmentSizeBytes: 256 };

/** The first catalog day: six segments, a few deletes, one merge (before the crash). */
export function catalogDay(): WalEntry[] {
  const entries: WalEntry[] = [];
  for (let segmentId = 1; segmentId <= 6; segmentId++) {
    entries.push({ type: 'AddSegment', segmentId, docCount: 100 * segmentId });
  }
  entries.push({
    type: 'DeleteDocuments',
    deletes: [
      [1, 7],
      [2, 11],
      [5, 42],
    ],
  });
  entries.push({ type: 'StartMerge', mergeId: 1, segmentIds: [1, 2] });
  entries.push({ type: 'EndMerge', mergeId: 1, segmentIds: [1, 2], newSegmentId: 7, docCount: 298 });
  entries.push({ type: 'DeleteDocuments', deletes: [[6, 3]] });
  return entries;
}

/** Segment ids written by the crashing writer start here, far above the day's. */
export const CRASH_SEGMENT_BASE = 1_000_000;

/** The entry the crashing writer appends as entry `entryId`. */
export function crashEntryFor(entryId: number): WalEntry {
  return { type: 'AddSegment', segmentId: CRASH_SEGMENT_BASE + entryId, docCount: (entryId % 97) + 1 };
}

/** Entries per `appendBatch` of the crashing writer; every other batch is synced, the rest only flushed. */
export const CRASH_BATCH = 4;
