import { crc32 } from '../checksum/crc32.js';
import { bytesEqual, magicBytes, readU32, readU64, writeU32, writeU64 } from '../encoding/little-endian.js';
import { CorruptionError, FormatError, LimitExceededError } from '../errors.js';

/**
 * The checkpoint file's bytes, version 1 (FORMAT.md § Checkpoint). Little-endian header, CBOR payload.
 *
 * ```
 * offset size field
 * 0      4    magic            "VCKP"
 * 4      4    version          u32 = 1
 * 8      8    last_applied_id  u64: every WAL entry with id ≤ this is reflected in the payload
 * 16     8    payload_len      u64 ≤ 256 MiB (and ≤ maxPayloadBytes)
 * 24     4    payload_crc      u32 = crc32(payload)
 * 28     4    header_crc       u32 = crc32(bytes[0 .. 28])
 * 32     len  payload
 * ```
 *
 * The file is exactly `32 + payload_len` bytes. A checkpoint is only ever published whole
 * (`atomicWrite`), so anything else (a short header, a short or long payload) is corruption, never a
 * torn tail. The reader checks, in this order, before allocating anything sized by a field:
 * length ≥ 32 → `header_crc` → magic → version → `last_applied_id` ≤ 2^53 − 1 → `payload_len` caps →
 * file length = 32 + `payload_len` → `payload_crc` (see `parseCheckpointHeader`).
 */

export const CHECKPOINT_MAGIC: Uint8Array = magicBytes('VCKP');
export const CHECKPOINT_FORMAT_VERSION = 1;
export const CHECKPOINT_HEADER_BYTES = 32;
/** Hard cap on a payload: a larger `payload_len` is corruption whatever the options say. 256 MiB. */
export const MAX_CHECKPOINT_PAYLOAD_BYTES = 256 * 1024 * 1024;

/** The whole file for `payload`: header then payload, one buffer (written with one `atomicWrite`). */
export function encodeCheckpointFile(payload: Uint8Array, lastAppliedId: number): Uint8Array {
  const file = new Uint8Array(CHECKPOINT_HEADER_BYTES + payload.length);
  file.set(CHECKPOINT_MAGIC, 0);
  writeU32(file, 4, CHECKPOINT_FORMAT_VERSION);
  writeU64(file, 8, lastAppliedId);
  writeU64(file, 16, payload.length);
  writeU32(file, 24, crc32(payload));
  writeU32(file, 28, crc32(file.subarray(0, 28)));
  file.set(payload, CHECKPOINT_HEADER_BYTES);
  return file;
}

/** What a valid header says. */
export interface CheckpointHeader {
  lastAppliedId: number;
  payloadBytes: number;
  payloadCrc: number;
}

/**
 * Validates the first `min(32, fileLength)` bytes of a checkpoint file of `fileLength` bytes, in the
 * order of FORMAT.md's decision table (rows C1–C9). Throws the row's error; returns the header when
 * every check passes, so the caller may read exactly `payloadBytes` bytes at offset 32.
 */
export function parseCheckpointHeader(
  header: Uint8Array,
  fileLength: number,
  options: { maxPayloadBytes: number; path?: string },
): CheckpointHeader {
  const { path } = options;
  if (fileLength < CHECKPOINT_HEADER_BYTES) {
    const magicPart = header.subarray(0, Math.min(4, header.length));
    if (!bytesEqual(magicPart, 0, CHECKPOINT_MAGIC.subarray(0, magicPart.length))) {
      // C1: not even a checkpoint's first bytes.
      throw new FormatError('not a checkpoint file (bad magic)', { path, offset: 0, expected: 'VCKP' });
    }
    // C2: a checkpoint is written atomically, so a short file is damage, not a crash.
    throw new CorruptionError('checkpoint file is shorter than its 32-byte header', {
      path,
      offset: fileLength,
      expected: `≥ ${CHECKPOINT_HEADER_BYTES} bytes`,
      actual: fileLength,
    });
  }
  const storedHeaderCrc = readU32(header, 28);
  const headerCrc = crc32(header.subarray(0, 28));
  if (storedHeaderCrc !== headerCrc) {
    // C3: checksum first; magic and version are judged on checksum-valid bytes only.
    throw new CorruptionError('checkpoint header checksum mismatch', {
      path,
      offset: 28,
      expected: hex32(storedHeaderCrc),
      actual: hex32(headerCrc),
    });
  }
  if (!bytesEqual(header, 0, CHECKPOINT_MAGIC)) {
    // C4
    throw new FormatError('not a checkpoint file (bad magic)', { path, offset: 0, expected: 'VCKP' });
  }
  const version = readU32(header, 4);
  if (version !== CHECKPOINT_FORMAT_VERSION) {
    // C5
    throw new FormatError('unknown checkpoint format version', {
      path,
      offset: 4,
      expected: CHECKPOINT_FORMAT_VERSION,
      actual: version,
    });
  }
  const lastAppliedId = readU64(header, 8);
  if (lastAppliedId === undefined) {
    // C6
    throw new FormatError('last_applied_id above 2^53 - 1 is not supported', { path, offset: 8 });
  }
  const payloadBytes = readU64(header, 16);
  if (payloadBytes === undefined || payloadBytes > MAX_CHECKPOINT_PAYLOAD_BYTES) {
    // C7: no valid writer produces it.
    throw new CorruptionError('checkpoint payload_len above the 256 MiB hard cap', {
      path,
      offset: 16,
      expected: `≤ ${MAX_CHECKPOINT_PAYLOAD_BYTES}`,
      actual: payloadBytes ?? '> 2^53 - 1',
    });
  }
  if (payloadBytes > options.maxPayloadBytes) {
    // C8
    throw new LimitExceededError('checkpoint payload_len above maxPayloadBytes', {
      path,
      offset: 16,
      expected: `≤ ${options.maxPayloadBytes}`,
      actual: payloadBytes,
    });
  }
  if (fileLength !== CHECKPOINT_HEADER_BYTES + payloadBytes) {
    // C9: truncated, or bytes after the payload.
    throw new CorruptionError(
      fileLength < CHECKPOINT_HEADER_BYTES + payloadBytes
        ? 'checkpoint payload is truncated'
        : 'checkpoint file has bytes after its payload',
      {
        path,
        offset: CHECKPOINT_HEADER_BYTES,
        expected: CHECKPOINT_HEADER_BYTES + payloadBytes,
        actual: fileLength,
      },
    );
  }
  return { lastAppliedId, payloadBytes, payloadCrc: readU32(header, 24) };
}

/** C10: the payload against `payload_crc`. */
export function verifyCheckpointPayload(header: CheckpointHeader, payload: Uint8Array, path?: string): void {
  const actual = crc32(payload);
  if (actual !== header.payloadCrc) {
    throw new CorruptionError('checkpoint payload checksum mismatch', {
      path,
      offset: CHECKPOINT_HEADER_BYTES,
      expected: hex32(header.payloadCrc),
      actual: hex32(actual),
    });
  }
}

function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}
