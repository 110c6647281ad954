import type { ExpectedHeader } from './wal-format.js';

/**
 * The WAL's torn SEGMENT HEADER check (rows S1/S2 of FORMAT.md § WAL segment). Frames do not use it:
 * they follow the torn-write rule shared with the record log (`hasZeroSector` in
 * `encoding/torn-write.ts`).
 *
 * A segment header is written once, at creation, and synced before any frame is written behind it; a
 * crash while it is written leaves the bytes the writer wrote, cut or followed by zeros to the end of the
 * file. So a damaged final header is torn only when it is consistent with that: every byte before its
 * all-zero suffix that the reader can know (magic, version, ids) matches what the writer must have
 * written. Any other mismatch is corruption.
 */

/** Index just past the last non-zero byte of `bytes` (0 when every byte is zero). */
function zeroSuffixStart(bytes: Uint8Array): number {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return end;
}

/** True when every byte of `bytes` before its zero suffix that `expected` knows matches it. */
export function consistentWithTornWrite(bytes: Uint8Array, expected: ExpectedHeader): boolean {
  const end = Math.min(zeroSuffixStart(bytes), expected.bytes.length);
  for (let i = 0; i < end; i++) {
    if (expected.known(i) && bytes[i] !== expected.bytes[i]) return false;
  }
  return true;
}

/** True when the zero suffix of `region` starts inside it (its last byte is zero, or it is empty). */
export function endsInZeros(region: Uint8Array): boolean {
  return zeroSuffixStart(region) < region.length || region.length === 0;
}

/** `0x`-prefixed 8-digit hex, how checksums appear in errors. */
export function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}
