import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  bytesEqual,
  isAllZero,
  magicBytes,
  readU32,
  readU64,
  writeU32,
  writeU64,
} from '../src/encoding/little-endian.js';

describe('u32', () => {
  it('is little-endian', () => {
    const bytes = new Uint8Array(6);
    writeU32(bytes, 1, 0x12345678);
    expect([...bytes]).toEqual([0, 0x78, 0x56, 0x34, 0x12, 0]);
    expect(readU32(bytes, 1)).toBe(0x12345678);
  });

  it('round-trips every u32 at any offset', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.nat(8), (value, offset) => {
        const bytes = new Uint8Array(offset + 4);
        writeU32(bytes, offset, value);
        expect(readU32(bytes, offset)).toBe(value);
      }),
    );
    const bytes = new Uint8Array(4);
    writeU32(bytes, 0, 0xffffffff);
    expect(readU32(bytes, 0)).toBe(0xffffffff); // unsigned, never negative
  });
});

describe('u64', () => {
  it('is little-endian', () => {
    const bytes = new Uint8Array(8);
    writeU64(bytes, 0, 0x0102_0304_0506);
    expect([...bytes]).toEqual([6, 5, 4, 3, 2, 1, 0, 0]);
    writeU64(bytes, 0, Number.MAX_SAFE_INTEGER);
    expect([...bytes]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0]);
  });

  it('round-trips every safe integer up to MAX_SAFE_INTEGER', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 0, max: 0xffffffff }), fc.maxSafeNat()),
        fc.nat(8),
        (value, offset) => {
          const bytes = new Uint8Array(offset + 8);
          writeU64(bytes, offset, value);
          expect(readU64(bytes, offset)).toBe(value);
        },
      ),
    );
    for (const value of [0, 1, 2 ** 32 - 1, 2 ** 32, 2 ** 52, Number.MAX_SAFE_INTEGER]) {
      const bytes = new Uint8Array(8);
      writeU64(bytes, 0, value);
      expect(readU64(bytes, 0)).toBe(value);
    }
  });

  it('reads undefined for any stored value above MAX_SAFE_INTEGER', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0x20_0000, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        (high, low) => {
          const bytes = new Uint8Array(8);
          writeU32(bytes, 0, low);
          writeU32(bytes, 4, high);
          expect(readU64(bytes, 0)).toBeUndefined();
        },
      ),
    );
    // 2^53 exactly: the first unsafe value.
    expect(readU64(Uint8Array.of(0, 0, 0, 0, 0, 0, 0x20, 0), 0)).toBeUndefined();
  });
});

describe('byte helpers', () => {
  it('isAllZero', () => {
    expect(isAllZero(new Uint8Array(0))).toBe(true);
    expect(isAllZero(new Uint8Array(17))).toBe(true);
    expect(isAllZero(Uint8Array.of(0, 0, 1))).toBe(false);
  });

  it('magicBytes takes exactly four ASCII characters', () => {
    expect([...magicBytes('VRLG')]).toEqual([0x56, 0x52, 0x4c, 0x47]);
    expect(() => magicBytes('VRL')).toThrow(RangeError);
  });

  it('bytesEqual compares at an offset', () => {
    expect(bytesEqual(Uint8Array.of(9, 1, 2), 1, Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Uint8Array.of(9, 1, 2), 0, Uint8Array.of(1, 2))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1), 0, Uint8Array.of(1, 2))).toBe(false);
  });
});
