import { crc32 } from '@durability/core';

/**
 * Byte builders for the decoder fuzz, written from FORMAT.md (not from core's encoders), so a fuzz
 * input can be exactly as valid as it wants to be: any field any value, each checksum right or wrong.
 */

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

class LittleEndian {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  constructor(length: number) {
    this.bytes = new Uint8Array(length);
    this.view = new DataView(this.bytes.buffer);
  }
  u32(at: number, value: number): this {
    this.view.setUint32(at, value >>> 0, true);
    return this;
  }
  u64(at: number, value: bigint): this {
    this.view.setBigUint64(at, BigInt.asUintN(64, value), true);
    return this;
  }
  raw(at: number, value: Uint8Array): this {
    this.bytes.set(value.subarray(0, this.bytes.length - at), at);
    return this;
  }
}

/** A checksum field: the right value, or a given wrong one (never accidentally right). */
export type CrcChoice = { readonly valid: true } | { readonly valid: false; readonly value: number };

function checksum(choice: CrcChoice, right: number): number {
  if (choice.valid) return right;
  return choice.value >>> 0 === right ? (right ^ 1) >>> 0 : choice.value >>> 0;
}

export interface SegmentHeaderFields {
  readonly magic: Uint8Array; // 4 bytes
  readonly version: number;
  readonly segmentId: bigint;
  readonly startEntryId: bigint;
  readonly crc: CrcChoice;
}

/** 28 bytes: magic | version u32 | segment_id u64 | start_entry_id u64 | header_crc u32 = crc32(bytes[0..24]). */
export function segmentHeader(fields: SegmentHeaderFields): Uint8Array {
  const out = new LittleEndian(28)
    .raw(0, fields.magic)
    .u32(4, fields.version)
    .u64(8, fields.segmentId)
    .u64(16, fields.startEntryId);
  return out.u32(24, checksum(fields.crc, crc32(out.bytes.subarray(0, 24)))).bytes;
}

export interface WalFrameFields {
  /** The `payload_len` field (may differ from `payload.length`). */
  readonly length: number;
  readonly entryId: bigint;
  readonly headerCrc: CrcChoice;
  readonly frameCrc: CrcChoice;
  readonly payload: Uint8Array;
}

/** payload_len u32 | entry_id u64 | header_crc u32 = crc32(bytes[p..p+12]) | frame_crc u32 = crc32(payload, header_crc) | payload. */
export function walFrame(fields: WalFrameFields): Uint8Array {
  const head = new LittleEndian(20).u32(0, fields.length).u64(4, fields.entryId);
  const headerCrc = checksum(fields.headerCrc, crc32(head.bytes.subarray(0, 12)));
  head.u32(12, headerCrc).u32(16, checksum(fields.frameCrc, crc32(fields.payload, headerCrc)));
  return concatBytes([head.bytes, fields.payload]);
}

/** "VRLG" | version u32. */
export function recordLogHeader(magic: Uint8Array, version: number): Uint8Array {
  return new LittleEndian(8).raw(0, magic).u32(4, version).bytes;
}

export interface RecordFrameFields {
  readonly length: number;
  readonly headerCrc: CrcChoice;
  readonly payloadCrc: CrcChoice;
  readonly payload: Uint8Array;
}

/** len u32 | header_crc u32 = crc32(len) | payload_crc u32 = crc32(payload, header_crc) | payload. */
export function recordFrame(fields: RecordFrameFields): Uint8Array {
  const head = new LittleEndian(12).u32(0, fields.length);
  const headerCrc = checksum(fields.headerCrc, crc32(head.bytes.subarray(0, 4)));
  head.u32(4, headerCrc).u32(8, checksum(fields.payloadCrc, crc32(fields.payload, headerCrc)));
  return concatBytes([head.bytes, fields.payload]);
}

export interface CheckpointFields {
  readonly magic: Uint8Array;
  readonly version: number;
  readonly lastAppliedId: bigint;
  /** The `payload_len` field (may differ from `payload.length`). */
  readonly length: bigint;
  readonly payloadCrc: CrcChoice;
  readonly headerCrc: CrcChoice;
  readonly payload: Uint8Array;
}

/** magic | version u32 | last_applied_id u64 | payload_len u64 | payload_crc u32 | header_crc u32 = crc32(bytes[0..28]) | payload. */
export function checkpointFile(fields: CheckpointFields): Uint8Array {
  const head = new LittleEndian(32)
    .raw(0, fields.magic)
    .u32(4, fields.version)
    .u64(8, fields.lastAppliedId)
    .u64(16, fields.length)
    .u32(24, checksum(fields.payloadCrc, crc32(fields.payload)));
  head.u32(28, checksum(fields.headerCrc, crc32(head.bytes.subarray(0, 28))));
  return concatBytes([head.bytes, fields.payload]);
}

export const ascii = (text: string): Uint8Array => new TextEncoder().encode(text);
