import { crc32 } from '../checksum/crc32.js';
import { bytesEqual, magicBytes, readU32, writeU32 } from '../encoding/little-endian.js';

/**
 * The record log's bytes, version 1 (see FORMAT.md § Record log). Little-endian throughout.
 *
 * ```
 * file        = header frame*
 * header      = magic "VRLG" (4) | version u32 = 1 (4)                          8 bytes
 * frame       = len u32 | header_crc u32 | payload_crc u32 | payload[len]     12 + len bytes
 * header_crc  = crc32(len's 4 bytes)
 * payload_crc = crc32(payload, header_crc)  = crc32(len ‖ payload): covers the whole frame
 * ```
 *
 * The separate header checksum is what lets a reader trust `len` before the frame's end is known: a
 * corrupted length is a header checksum mismatch (corruption), never mistaken for a frame that runs past
 * the end of the file (a torn tail).
 */

export const RECORD_LOG_MAGIC: Uint8Array = magicBytes('VRLG');
export const RECORD_LOG_VERSION = 1;
export const RECORD_LOG_HEADER_BYTES = 8;
/** `len` (4) | `header_crc` (4) | `payload_crc` (4). */
export const RECORD_FRAME_HEADER_BYTES = 12;
/** Hard cap on a payload: a larger length field is corruption whatever the options say. 16 MiB. */
export const RECORD_LOG_MAX_RECORD_BYTES = 16 * 1024 * 1024;

const HEADER: Uint8Array = (() => {
  const header = new Uint8Array(RECORD_LOG_HEADER_BYTES);
  header.set(RECORD_LOG_MAGIC, 0);
  writeU32(header, 4, RECORD_LOG_VERSION);
  return header;
})();

/** A fresh copy of the 8-byte version-1 file header. */
export function encodeRecordLogHeader(): Uint8Array {
  return HEADER.slice();
}

/** `header_crc`: CRC-32 of the frame's 4-byte length field. */
export function frameHeaderChecksum(lengthField: Uint8Array): number {
  return crc32(lengthField);
}

/** `payload_crc`: CRC-32 of the payload continued from `header_crc`, i.e. of `len ‖ payload`. */
export function framePayloadChecksum(headerChecksum: number, payload: Uint8Array): number {
  return crc32(payload, headerChecksum);
}

/** Writes the 12-byte frame header of `payload` (length and both checksums) at `offset` of `target`. */
export function writeFrameHeader(target: Uint8Array, offset: number, payload: Uint8Array): void {
  writeU32(target, offset, payload.length);
  const headerChecksum = frameHeaderChecksum(target.subarray(offset, offset + 4));
  writeU32(target, offset + 4, headerChecksum);
  writeU32(target, offset + 8, framePayloadChecksum(headerChecksum, payload));
}

/** One whole frame. The writer encodes straight into its buffer instead; this is for tools and tests. */
export function encodeFrame(payload: Uint8Array): Uint8Array {
  const frame = new Uint8Array(RECORD_FRAME_HEADER_BYTES + payload.length);
  writeFrameHeader(frame, 0, payload);
  frame.set(payload, RECORD_FRAME_HEADER_BYTES);
  return frame;
}

export type HeaderVerdict =
  | { kind: 'valid' }
  /** What a crash while creating the file leaves: a prefix of the header, then only zero bytes. */
  | { kind: 'torn' }
  | { kind: 'bad-magic' }
  | { kind: 'bad-version'; version: number | undefined };

/**
 * Classifies the first `min(8, file length)` bytes of a file. `restIsZero` says whether every byte after
 * those 8 up to the end of the file is zero (vacuously true for a file of at most 8 bytes).
 * - exactly the v1 header → `valid`;
 * - a (possibly empty) prefix of the v1 header followed only by zero bytes, to the end of the FILE →
 *   `torn`. This covers an empty file, a file shorter than the header, an all-zero file and `VRLG`
 *   followed by zeros: the states a crash during creation leaves (bytes reach the disk as a prefix, or
 *   not at all as zeros), and nothing else: frames are appended only after the header was written, so
 *   non-zero bytes after a damaged header (e.g. a flipped version bit `01` → `00` in a log holding
 *   records) are not a torn creation but a damaged file, which must not read as an empty log;
 * - anything else → `bad-magic` or `bad-version` (a FormatError: not a torn write of this format).
 */
export function classifyHeader(bytes: Uint8Array, restIsZero = true): HeaderVerdict {
  if (bytes.length === RECORD_LOG_HEADER_BYTES && bytesEqual(bytes, 0, HEADER)) return { kind: 'valid' };
  let prefix = 0;
  while (prefix < bytes.length && bytes[prefix] === HEADER[prefix]) prefix++;
  let zeros = true;
  for (let i = prefix; i < bytes.length; i++) if (bytes[i] !== 0) zeros = false;
  if (zeros && restIsZero) return { kind: 'torn' };
  const magicLength = Math.min(bytes.length, 4);
  if (!bytesEqual(bytes.subarray(0, magicLength), 0, RECORD_LOG_MAGIC.subarray(0, magicLength))) {
    return { kind: 'bad-magic' };
  }
  return { kind: 'bad-version', version: bytes.length >= 8 ? readU32(bytes, 4) : undefined };
}

/** `0x`-prefixed 8-digit hex, how checksums appear in errors. */
export function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

export function hexBytes(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}
