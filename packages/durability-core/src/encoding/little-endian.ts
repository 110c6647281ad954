/**
 * Little-endian integer fields of the on-disk formats. u64 fields hold entry and segment ids; they are
 * exposed as JavaScript numbers, so a stored u64 above `Number.MAX_SAFE_INTEGER` is rejected by the
 * reader that calls `readU64` (it returns `undefined` for such a value).
 */

const TWO_POW_32 = 0x1_0000_0000;

export function writeU32(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value & 0xff;
  target[offset + 1] = (value >>> 8) & 0xff;
  target[offset + 2] = (value >>> 16) & 0xff;
  target[offset + 3] = (value >>> 24) & 0xff;
}

export function readU32(source: Uint8Array, offset: number): number {
  return (
    (source[offset]! |
      (source[offset + 1]! << 8) |
      (source[offset + 2]! << 16) |
      (source[offset + 3]! << 24)) >>>
    0
  );
}

/** Writes a safe non-negative integer as u64. */
export function writeU64(target: Uint8Array, offset: number, value: number): void {
  writeU32(target, offset, value % TWO_POW_32);
  writeU32(target, offset + 4, Math.floor(value / TWO_POW_32));
}

/** Reads a u64; `undefined` when it exceeds `Number.MAX_SAFE_INTEGER`. */
export function readU64(source: Uint8Array, offset: number): number | undefined {
  const high = readU32(source, offset + 4);
  if (high > 0x1f_ffff) return undefined;
  return high * TWO_POW_32 + readU32(source, offset);
}

/** True when every byte of `bytes` is zero. */
export function isAllZero(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== 0) return false;
  return true;
}

/** The 4-byte magic of a format, from its ASCII name. */
export function magicBytes(ascii: string): Uint8Array {
  if (ascii.length !== 4) throw new RangeError('a magic is 4 ASCII characters');
  return Uint8Array.from(ascii, (c) => c.charCodeAt(0));
}

export function bytesEqual(a: Uint8Array, aOffset: number, b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (a[aOffset + i] !== b[i]) return false;
  return true;
}
