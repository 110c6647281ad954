import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32Range, crc32View } from '../src/checksum/crc32.js';
import { crc32, crc32Implementation, crc32Portable } from '../src/index.js';

const ascii = (s: string) => new TextEncoder().encode(s);

/** Bytes, a range `[start, end)` within them (empty ranges and the ends included), and a CRC seed. */
const bytesRangeSeed = (maxLength: number) =>
  fc
    .tuple(fc.uint8Array({ maxLength }), fc.nat(), fc.nat(), fc.integer({ min: 0, max: 0xffffffff }))
    .map(([data, a, b, seed]) => {
      const start = a % (data.length + 1);
      return { data, start, end: start + (b % (data.length - start + 1)), seed };
    });

describe.each([
  ['crc32', crc32],
  ['crc32Portable', crc32Portable],
])('%s', (_name, fn) => {
  it('matches the CRC-32/IEEE check value and other known vectors', () => {
    expect(fn(ascii('123456789'))).toBe(0xcbf43926);
    expect(fn(new Uint8Array(0))).toBe(0);
    expect(fn(ascii('a'))).toBe(0xe8b7be43);
    expect(fn(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(fn(new Uint8Array(4))).toBe(0x2144df1c);
  });

  it('chains: crc32(b, crc32(a)) === crc32(a ‖ b)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
        const joined = new Uint8Array(a.length + b.length);
        joined.set(a);
        joined.set(b, a.length);
        expect(fn(b, fn(a))).toBe(fn(joined));
      }),
    );
  });

  it('continues from the seed over an empty input, whatever backs the empty view', () => {
    // Node's zlib.crc32 answered 0 for an empty view over a zero-length ArrayBuffer (NULL data pointer).
    for (const empty of [
      new Uint8Array(0),
      new Uint8Array(new ArrayBuffer(0)),
      Uint8Array.from([]).subarray(0, 0),
    ]) {
      expect(fn(empty, 1)).toBe(1);
      expect(fn(empty, 0xcbf43926)).toBe(0xcbf43926);
    }
  });

  it('returns an unsigned 32-bit value', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
        const value = fn(data);
        expect(Number.isInteger(value) && value >= 0 && value <= 0xffffffff).toBe(true);
      }),
    );
  });
});

describe('portable and native agree', () => {
  it('uses the native implementation on this Node', () => {
    expect(crc32Implementation).toBe('native');
  });

  it('on every length 0..100', () => {
    const data = Uint8Array.from({ length: 100 }, (_, i) => (i * 131 + 7) & 0xff);
    for (let n = 0; n <= 100; n++)
      expect(crc32Portable(data.subarray(0, n))).toBe(crc32(data.subarray(0, n)));
  });

  it('on random inputs, unaligned subarrays and seeds', () => {
    fc.assert(
      fc.property(bytesRangeSeed(2000), ({ data, start, end, seed }) => {
        const view = data.subarray(start, end);
        expect(crc32Portable(view)).toBe(crc32(view));
        expect(crc32Portable(view, seed)).toBe(crc32(view, seed));
      }),
      { numRuns: 300 },
    );
  });
});

describe('crc32Range and crc32View', () => {
  it('equal crc32 of the same range as a view, below and above the native threshold', () => {
    fc.assert(
      fc.property(bytesRangeSeed(1200), ({ data, start, end, seed }) => {
        expect(crc32Range(data, start, end, seed)).toBe(crc32(data.subarray(start, end), seed));
        expect(crc32Range(data, start, end)).toBe(crc32Portable(data.subarray(start, end)));
        // The same through a DataView over a larger buffer, at an unaligned offset.
        const padded = new Uint8Array(data.length + 3);
        padded.set(data, 3);
        const view = new DataView(padded.buffer, 1, data.length + 2);
        expect(crc32View(view, start + 2, end + 2, seed)).toBe(crc32(data.subarray(start, end), seed));
      }),
      { numRuns: 500 },
    );
  });
});
