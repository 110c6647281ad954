import { z } from 'zod';
import { isSafePath } from '../paths.js';

/**
 * The segment-index entry type of the seed (`walog::WalEntry`), as a zod discriminated union on `type`.
 * Ids are non-negative safe integers (u64 in the seed, capped at 2^53-1 here); doc ids are u32.
 * Entry ids are never part of an entry: the WAL frame header carries them.
 *
 * Merge lifecycle (one `mergeId` per merge transaction, the seed's `transaction_id`):
 * - `StartMerge { mergeId, segmentIds }`: a merge of `segmentIds` began; nothing visible changes.
 * - `CancelMerge { mergeId }`: that merge was abandoned; nothing visible changes.
 * - `EndMerge { mergeId, newSegmentId, docCount, segmentIds?, remappedDeletes? }`: the merge committed:
 *   `newSegmentId` (with `docCount` docs) replaces the merged segments. `segmentIds` names them; write it:
 *   the `StartMerge` may already be truncated away behind a checkpoint when recovery reads the `EndMerge`
 *   (when absent, recovery falls back to the `StartMerge` of the same `mergeId`). `remappedDeletes` are
 *   `[segmentId, docId]` deletes that landed during the merge, already remapped to `newSegmentId`.
 * - `Checkpoint { checkpointPath, lastEntryId }`: a durable checkpoint at `checkpointPath` (a safe
 *   relative path, checked on append and on replay) covers every entry up to `lastEntryId`
 *   (ARCHITECTURE §6).
 */

const id = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const docId = z.number().int().nonnegative().max(0xffff_ffff);
const docCount = docId;
const segmentDoc = z.tuple([id, docId]);

export const addSegmentSchema = z.object({
  type: z.literal('AddSegment'),
  segmentId: id,
  docCount,
});

export const deleteDocumentsSchema = z.object({
  type: z.literal('DeleteDocuments'),
  deletes: z.array(segmentDoc),
});

export const startMergeSchema = z.object({
  type: z.literal('StartMerge'),
  mergeId: id,
  segmentIds: z.array(id),
});

export const cancelMergeSchema = z.object({
  type: z.literal('CancelMerge'),
  mergeId: id,
});

export const endMergeSchema = z.object({
  type: z.literal('EndMerge'),
  mergeId: id,
  newSegmentId: id,
  docCount,
  segmentIds: z.array(id).optional(),
  remappedDeletes: z.array(segmentDoc).optional(),
});

export const checkpointEntrySchema = z.object({
  type: z.literal('Checkpoint'),
  checkpointPath: z
    .string()
    .refine((path) => isSafePath(path), 'must be a safe relative path (assertSafePath)'),
  lastEntryId: id,
});

/** Validates a segment-index WAL entry. Pass it as the `schema` option of writers and readers. */
export const walEntrySchema = z.discriminatedUnion('type', [
  addSegmentSchema,
  deleteDocumentsSchema,
  startMergeSchema,
  cancelMergeSchema,
  endMergeSchema,
  checkpointEntrySchema,
]);

/** A segment-index WAL entry. */
export type WalEntry = z.infer<typeof walEntrySchema>;
