import { crc32, FRAME_HEADER_BYTES, SEGMENT_HEADER_BYTES } from '@durability/core';

/** Where one frame of a segment lies (FORMAT.md § WAL segment, "Bytes"). */
export interface FrameSpan {
  readonly entryId: number;
  /** Offset of the frame's first byte (its `payload_len`). */
  readonly offset: number;
  /** Offset just past its payload. */
  readonly end: number;
}

/**
 * The frames of a segment the sweep itself wrote, read with the byte layout of FORMAT.md and both
 * checksums checked. It is not a recovery reader: anything but a sequence of valid frames to the end of
 * `bytes` is a `RangeError` (the reference is wrong, not the backend).
 */
export function framesOf(bytes: Uint8Array): FrameSpan[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: FrameSpan[] = [];
  let p = SEGMENT_HEADER_BYTES;
  while (p < bytes.length) {
    if (p + FRAME_HEADER_BYTES > bytes.length)
      throw new RangeError(`reference segment ends inside a frame header at ${p}`);
    const length = view.getUint32(p, true);
    const entryId = Number(view.getBigUint64(p + 4, true));
    const headerCrc = view.getUint32(p + 12, true);
    const frameCrc = view.getUint32(p + 16, true);
    const end = p + FRAME_HEADER_BYTES + length;
    if (end > bytes.length) throw new RangeError(`reference frame at ${p} runs past the end`);
    if (
      crc32(bytes.subarray(p, p + 12)) !== headerCrc ||
      crc32(bytes.subarray(p + 20, end), headerCrc) !== frameCrc
    ) {
      throw new RangeError(`reference frame at ${p} fails its checksums`);
    }
    frames.push({ entryId, offset: p, end });
    p = end;
  }
  return frames;
}

/** `bytes` with bit `bit` (0 = least significant) of byte `offset` inverted; a new array. */
export function flipBit(bytes: Uint8Array, offset: number, bit: number): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[offset] = out[offset]! ^ (1 << bit);
  return out;
}
