import { z } from 'zod';
import { decodeCanonicalCbor } from '../checkpoint/canonical-cbor-decode.js';
import { encodeCanonicalCbor } from '../checkpoint/canonical-cbor-encode.js';
import type { Codec } from '../codec/codec.js';
import { DecodeError } from '../errors.js';
import { SegmentIndex, type SegmentIndexCheckpoint } from './segment-index.js';

/**
 * The checkpoint payload of the segment index, as canonical CBOR of `SegmentIndexCheckpoint`:
 *
 * ```
 * { "segments": [ { "docCount": u32, "segmentId": id, "deletedDocs": [u32, …] }, … ],
 *   "pendingMerges": [ { "mergeId": id, "segmentIds": [id, …] }, … ] }
 * ```
 * (keys shown in canonical order: shorter first). Unknown keys are refused, every list must be strictly
 * ascending, deletes below `docCount`, pending merges over live and disjoint segments: a payload that
 * fails any of it is a `DecodeError`, even under valid checksums.
 */

const id = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const u32 = z.number().int().nonnegative().max(0xffff_ffff);

export const segmentIndexCheckpointSchema = z.strictObject({
  segments: z.array(z.strictObject({ segmentId: id, docCount: u32, deletedDocs: z.array(u32) })),
  pendingMerges: z.array(z.strictObject({ mergeId: id, segmentIds: z.array(id) })),
});

/** Canonical CBOR of the index's checkpoint state, checked on the way in. */
export function segmentIndexCodec(maxBytes?: number): Codec<SegmentIndex> {
  return {
    encode: (index) => encodeCanonicalCbor(index.toCheckpointState(), maxBytes),
    decode: (bytes) => restoreCheckpointState(decodeCanonicalCbor(bytes)),
  };
}

/** Validates a decoded payload and rebuilds the index (`DecodeError` on any violation). */
export function restoreCheckpointState(value: unknown): SegmentIndex {
  const parsed = segmentIndexCheckpointSchema.safeParse(value);
  if (!parsed.success) {
    throw new DecodeError(`not a segment-index checkpoint: ${parsed.error.message}`, { cause: parsed.error });
  }
  const state: SegmentIndexCheckpoint = parsed.data;
  return SegmentIndex.restore(
    state,
    (message) => new DecodeError(`invalid segment-index checkpoint: ${message}`),
    {
      sorted: true,
    },
  );
}
