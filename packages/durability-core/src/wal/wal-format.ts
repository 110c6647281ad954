import { crc32, crc32Range, crc32View } from '../checksum/crc32.js';
import { bytesEqual, magicBytes, readU32, readU64, writeU32, writeU64 } from '../encoding/little-endian.js';

/**
 * WAL segment format, version 1. All integers little-endian. FORMAT.md § "WAL segment" is the normative
 * text; this file and that section change together.
 *
 * Segment header, 28 bytes, at offset 0 of every segment file:
 *
 *   off size field           value
 *    0   4   magic           'VWAL' (56 57 41 4C)
 *    4   4   version         u32 = 1
 *    8   8   segment_id      u64, equal to the id in the file name
 *   16   8   start_entry_id  u64 ≥ 1, id of the first frame the segment holds (or will hold)
 *   24   4   header_crc      u32 = crc32(bytes 0..24)
 *
 * Frame, 20-byte header then payload, repeated to the end of the segment:
 *
 *   off size field           value
 *    0   4   payload_len     u32 ≤ max entry bytes (16 MiB hard cap)
 *    4   8   entry_id        u64, previous frame's id + 1 (across segments too)
 *   12   4   header_crc      u32 = crc32(bytes 0..12)
 *   16   4   frame_crc       u32 = crc32(payload, header_crc) = crc32(bytes 0..12 ‖ payload)
 *   20   n   payload         codec output (CBOR by default)
 *
 * Invariants: the header CRC makes `payload_len` trustworthy before anything is allocated from it (a
 * damaged length is corruption, never a torn tail); the frame CRC covers the entry id as well as the
 * payload (a flipped id cannot pass). A damaged final frame is a torn write only under the torn-write rule
 * shared with the record log (`encoding/torn-write.ts`; segment-scanner.ts applies it).
 */

/** The directory holding the segments and the lock, relative to the WAL's `Directory`. */
export const WAL_DIR = 'wal';
export const WAL_MAGIC: Uint8Array = magicBytes('VWAL');
export const WAL_FORMAT_VERSION = 1;
export const SEGMENT_HEADER_BYTES = 28;
export const FRAME_HEADER_BYTES = 20;
/** Hard cap on one entry's payload; `maxEntryBytes` may lower it, never raise it. */
export const MAX_WAL_ENTRY_BYTES = 16 * 1024 * 1024;

export interface SegmentHeader {
  segmentId: number;
  startEntryId: number;
}

/** A decoded segment header before any check: the caller decides which failure to report. */
export interface RawSegmentHeader {
  magicOk: boolean;
  version: number;
  /** `undefined` when the stored u64 exceeds `Number.MAX_SAFE_INTEGER`. */
  segmentId: number | undefined;
  startEntryId: number | undefined;
  storedCrc: number;
  computedCrc: number;
}

/** A decoded frame header before any check. */
export interface RawFrameHeader {
  payloadLength: number;
  entryId: number | undefined;
  storedHeaderCrc: number;
  computedHeaderCrc: number;
  frameCrc: number;
}

export function encodeSegmentHeader(header: SegmentHeader): Uint8Array {
  const bytes = new Uint8Array(SEGMENT_HEADER_BYTES);
  bytes.set(WAL_MAGIC, 0);
  writeU32(bytes, 4, WAL_FORMAT_VERSION);
  writeU64(bytes, 8, header.segmentId);
  writeU64(bytes, 16, header.startEntryId);
  writeU32(bytes, 24, crc32(bytes.subarray(0, 24)));
  return bytes;
}

/** Decodes the first 28 bytes of `bytes`. */
export function decodeSegmentHeader(bytes: Uint8Array): RawSegmentHeader {
  return {
    magicOk: bytesEqual(bytes, 0, WAL_MAGIC),
    version: readU32(bytes, 4),
    segmentId: readU64(bytes, 8),
    startEntryId: readU64(bytes, 16),
    storedCrc: readU32(bytes, 24),
    computedCrc: crc32(bytes.subarray(0, 24)),
  };
}

/** Bytes one frame of `payloadLength` occupies on disk. */
export function frameBytes(payloadLength: number): number {
  return FRAME_HEADER_BYTES + payloadLength;
}

/**
 * Writes the frame of `payload` as entry `entryId` into `target` at `offset`; returns the end offset.
 * `view` is a `DataView` over the whole of `target` (callers that write many frames keep one).
 */
export function writeFrame(
  target: Uint8Array,
  offset: number,
  entryId: number,
  payload: Uint8Array,
  view = new DataView(target.buffer, target.byteOffset, target.byteLength),
): number {
  const payloadStart = offset + FRAME_HEADER_BYTES;
  const end = payloadStart + payload.length;
  writeU32(target, offset, payload.length);
  writeU64(target, offset + 4, entryId);
  const headerCrc = crc32View(view, offset, offset + 12);
  writeU32(target, offset + 12, headerCrc);
  target.set(payload, payloadStart);
  writeU32(target, offset + 16, crc32View(view, payloadStart, end, headerCrc));
  return end;
}

/** Decodes the 20 header bytes at `offset` of `bytes`, in place (no view is made). */
export function decodeFrameHeader(bytes: Uint8Array, offset = 0): RawFrameHeader {
  return {
    payloadLength: readU32(bytes, offset),
    entryId: readU64(bytes, offset + 4),
    storedHeaderCrc: readU32(bytes, offset + 12),
    computedHeaderCrc: crc32Range(bytes, offset, offset + 12),
    frameCrc: readU32(bytes, offset + 16),
  };
}

/** The frame CRC a payload must have under a verified header CRC. */
export function frameChecksum(headerCrc: number, payload: Uint8Array): number {
  return crc32(payload, headerCrc);
}

/**
 * What a torn write of a segment header may have left: the bytes the writer wrote (where the reader can know
 * them) and which of them it can know. A byte outside `known` (a length, a CRC over unknown fields) is
 * unconstrained.
 */
export interface ExpectedHeader {
  bytes: Uint8Array;
  known: (index: number) => boolean;
}

/**
 * The segment header the writer must have written for `segmentId`. With `startEntryId` unknown (the
 * only segment of a WAL) bytes 16..28 are unconstrained.
 */
export function expectedSegmentHeader(segmentId: number, startEntryId: number | undefined): ExpectedHeader {
  const bytes = encodeSegmentHeader({ segmentId, startEntryId: startEntryId ?? 0 });
  const knownUpTo = startEntryId === undefined ? 16 : SEGMENT_HEADER_BYTES;
  return { bytes, known: (i) => i < knownUpTo };
}
