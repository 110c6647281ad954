import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasZeroSector, TORN_WRITE_SECTOR_BYTES } from '../src/index.js';

/** The rule spelled out naively: a chunk per sector number, each checked for a non-zero byte. */
function reference(bytes: Uint8Array, fileOffset: number): boolean {
  const chunks = new Map<number, boolean>(); // sector number → all zero so far
  bytes.forEach((b, i) => {
    const sector = Math.floor((fileOffset + i) / 512);
    chunks.set(sector, (chunks.get(sector) ?? true) && b === 0);
  });
  return [...chunks.values()].some((zero) => zero);
}

const filled = (length: number, value = 1) => new Uint8Array(length).fill(value);

describe('hasZeroSector', () => {
  it('uses 512-byte sectors', () => {
    expect(TORN_WRITE_SECTOR_BYTES).toBe(512);
  });

  it('an empty input has no chunk: false, at any offset', () => {
    for (const offset of [0, 1, 511, 512, 2 ** 40 + 3]) {
      expect(hasZeroSector(new Uint8Array(0), offset)).toBe(false);
    }
  });

  it('finds a whole zero sector, and only on sector boundaries', () => {
    const bytes = filled(1536);
    bytes.fill(0, 512, 1024); // sector 1 of a file read from offset 0
    expect(hasZeroSector(bytes, 0)).toBe(true);
    // The same bytes read from offset 1: the zeros straddle the boundary at file offset 512 (index 511).
    expect(hasZeroSector(bytes, 1)).toBe(false);
    // One non-zero byte anywhere in the zero run spoils it.
    bytes[700] = 9;
    expect(hasZeroSector(bytes, 0)).toBe(false);
    expect(hasZeroSector(filled(1536), 0)).toBe(false);
  });

  it('edge chunks may be shorter than a sector: a zero one counts', () => {
    // 10 bytes at file offset 510: chunks [510, 512) and [512, 520).
    const bytes = filled(10);
    bytes.fill(0, 0, 2);
    expect(hasZeroSector(bytes, 510)).toBe(true); // the leading 2-byte chunk
    expect(hasZeroSector(bytes, 509)).toBe(false); // now chunks are [509, 512) = 3 bytes, not all zero
    const tail = filled(10);
    tail.fill(0, 2);
    expect(hasZeroSector(tail, 510)).toBe(true); // the trailing 8-byte chunk
    expect(hasZeroSector(tail, 511)).toBe(false); // [511, 512) = 1 non-zero byte, [512, 521) starts non-zero
    expect(hasZeroSector(Uint8Array.of(0), 12345)).toBe(true); // a lone zero byte is a chunk by itself
    expect(hasZeroSector(Uint8Array.of(1), 12345)).toBe(false);
  });

  it('handles offsets that are not multiples of 512, large ones included', () => {
    // From file offset 1000 the first chunk is 24 bytes long, up to 1024.
    const first = filled(100);
    first.fill(0, 0, 24);
    expect(hasZeroSector(first, 1000)).toBe(true);
    const shifted = filled(100);
    shifted.fill(0, 1, 25);
    expect(hasZeroSector(shifted, 1000)).toBe(false);
    const big = 2 ** 40 + 1000; // a terabyte into a file: still exact
    expect(hasZeroSector(first, big)).toBe(true);
    expect(hasZeroSector(shifted, big)).toBe(false);
  });

  it('an all-zero input is a zero sector', () => {
    for (const [length, offset] of [
      [1, 0],
      [12, 506],
      [512, 0],
      [5000, 77],
    ] as const) {
      expect(hasZeroSector(new Uint8Array(length), offset)).toBe(true);
    }
  });

  it('rejects a negative or fractional offset', () => {
    expect(() => hasZeroSector(filled(4), -1)).toThrow(RangeError);
    expect(() => hasZeroSector(filled(4), 1.5)).toThrow(RangeError);
  });

  it('agrees with the naive rule on any bytes and offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3000 }),
        fc.array(fc.tuple(fc.nat(3000), fc.nat(1100)), { maxLength: 4 }),
        fc.array(fc.nat(3000), { maxLength: 6 }),
        fc.integer({ min: 0, max: 5000 }),
        (length, zeroRuns, ones, offset) => {
          const bytes = filled(length, 0xff);
          for (const [start, run] of zeroRuns) bytes.fill(0, start, start + run);
          for (const at of ones) if (at < length) bytes[at] = 1;
          expect(hasZeroSector(bytes, offset)).toBe(reference(bytes, offset));
        },
      ),
      { numRuns: 500 },
    );
  });
});
