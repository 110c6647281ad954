import {
  type CheckpointMarker,
  type Codec,
  CorruptionError,
  cborCodec,
  checkpointEntrySchema,
  type Directory,
  FRAME_HEADER_BYTES,
  type ReplayReport,
  WalReader,
} from '@durability/core';
import { isDamage } from '../exit-codes.js';

/**
 * One streaming pass over a WAL through the public reader (`WalReader.replayEach`, best-effort), shared
 * by `inspect`, `verify`, `dump` and `repair`. Best-effort is always used underneath: it stops at exactly
 * the place strict replay would throw `TornTailError` (both modes share one decision table in core), and
 * it also yields the report (offset, bytes dropped) that a strict error does not carry. Callers apply
 * the requested mode to the outcome (`verdict.ts`).
 *
 * Damage (torn tail in a non-final segment, checksum mismatch, id gap, undecodable payload) ends the pass
 * and is returned in `damage`, not thrown, so the caller can print how far the scan got. I/O errors and
 * bugs are thrown.
 */

export interface ScanOptions {
  /**
   * Decode every payload as CBOR (the default codec): an undecodable payload is damage (`DecodeError`)
   * and checkpoint markers are found. False: payloads stay raw bytes (a WAL written with a custom codec).
   */
  decode: boolean;
  /** Receives each entry (decoded, or raw bytes when `decode` is false). Return `STOP` to end the pass. */
  onEntry?: (entryId: number, entry: unknown) => undefined | typeof STOP | Promise<undefined | typeof STOP>;
  /** Receives the running count of frame bytes read (headers and payloads), after every frame. */
  onProgress?: (bytesScanned: number) => void;
  /** Chunk size of ranged reads (bytes). */
  chunkBytes?: number;
}

/** Returned by `onEntry` to end the pass early (e.g. `dump --to`). */
export const STOP: unique symbol = Symbol('stop-scan');

export interface ScanResult {
  /** Where and why the pass stopped; `undefined` when damage or `STOP` ended it first. */
  report: ReplayReport | undefined;
  /** The damage that ended the pass (a `DurabilityError`), if any. */
  damage: unknown;
  /** True when `onEntry` returned `STOP`. */
  stoppedEarly: boolean;
  /** Entries read and validated (before damage, if any). */
  entries: number;
  firstEntryId: number | undefined;
  lastEntryId: number | undefined;
  /** Frame bytes read (headers and payloads; segment headers not counted). */
  bytesScanned: number;
  /** Every checkpoint marker found, oldest first (empty when `decode` is false). */
  markers: CheckpointMarker[];
}

class StopSignal {}

/** Streams the WAL of `dir` once. Memory: one read chunk, one frame, and the markers. */
export async function scanWal(dir: Directory, options: ScanOptions): Promise<ScanResult> {
  const result: ScanResult = {
    report: undefined,
    damage: undefined,
    stoppedEarly: false,
    entries: 0,
    firstEntryId: undefined,
    lastEntryId: undefined,
    bytesScanned: 0,
    markers: [],
  };
  const cbor = cborCodec<unknown>();
  // The codec sees every checksum-valid payload first: it counts bytes and decodes (or not).
  const codec: Codec<unknown> = {
    encode: () => {
      throw new TypeError('the CLI never writes entries');
    },
    decode: (bytes) => {
      result.bytesScanned += FRAME_HEADER_BYTES + bytes.length;
      options.onProgress?.(result.bytesScanned);
      return options.decode ? cbor.decode(bytes) : bytes;
    },
  };
  const reader = new WalReader<unknown>(dir, { codec, chunkBytes: options.chunkBytes });
  try {
    result.report = await reader.replayEach(
      async ({ entryId, payload }) => {
        result.entries++;
        result.firstEntryId ??= entryId;
        result.lastEntryId = entryId;
        if (options.decode) noteMarker(result.markers, entryId, payload);
        if (options.onEntry && (await options.onEntry(entryId, payload)) === STOP) throw new StopSignal();
      },
      { mode: 'best-effort' },
    );
  } catch (error) {
    if (error instanceof StopSignal) result.stoppedEarly = true;
    else if (isDamage(error)) result.damage = error;
    else throw error;
  }
  return result;
}

/** Records `entry` when it is a segment-index `Checkpoint` marker (`checkpointEntrySchema`). */
function noteMarker(markers: CheckpointMarker[], entryId: number, entry: unknown): void {
  const parsed = checkpointEntrySchema.safeParse(entry);
  if (!parsed.success) return;
  const { checkpointPath, lastEntryId } = parsed.data;
  // The same rule as core's findLatestCheckpointMarker: a marker covers only entries before itself.
  if (!(lastEntryId < entryId)) {
    throw new CorruptionError(`the checkpoint marker at entry ${entryId} can only cover earlier entries`, {
      expected: `lastEntryId < ${entryId} (the marker's own id)`,
      actual: lastEntryId,
    });
  }
  markers.push({ entryId, checkpointPath, lastEntryId });
}
