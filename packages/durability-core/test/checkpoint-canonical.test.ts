import { Encoder } from 'cbor-x';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFloat16, toFloat16Bits } from '../src/checkpoint/float16.js';
import {
  CANONICAL_CBOR_MAX_DEPTH,
  CBOR_OPTIONS,
  canonicalCborCodec,
  DecodeError,
  decodeCanonicalCbor,
  EncodeError,
  encodeCanonicalCbor,
} from '../src/index.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const fromHex = (text: string) => new Uint8Array(Buffer.from(text.replaceAll(' ', ''), 'hex'));
const encodeHex = (value: unknown) => hex(encodeCanonicalCbor(value));

/** Plain values of the data model, with unique-encoding Map keys and Set elements. */
const key = fc.oneof(fc.integer(), fc.string({ unit: 'binary', maxLength: 6 }), fc.boolean(), fc.double());
const value = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, undefined, true, false),
    fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
    fc.double(),
    fc.string({ unit: 'binary', maxLength: 8 }),
    fc.uint8Array({ maxLength: 6 }),
    tie('array'),
    tie('object'),
    tie('map'),
    tie('set'),
  ),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.string({ unit: 'binary', maxLength: 6 }), tie('value'), {
    maxKeys: 4,
    noNullPrototype: true,
  }),
  map: fc
    .uniqueArray(fc.tuple(fc.oneof(key, tie('array')), tie('value')), {
      maxLength: 4,
      selector: ([k]) => encodeHex(k),
    })
    .map((entries) => new Map(entries)),
  set: fc
    .uniqueArray(fc.oneof(key, tie('array')), { maxLength: 4, selector: encodeHex })
    .map((items) => new Set(items)),
})).value;

/** The same logical value with every object, Map and Set filled in reverse insertion order. */
function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed);
  if (v instanceof Map) return new Map([...v].reverse().map(([k, x]) => [reversed(k), reversed(x)]));
  if (v instanceof Set) return new Set([...v].reverse().map(reversed));
  if (v instanceof Uint8Array || v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).reverse()) {
    Object.defineProperty(out, k, {
      value: reversed((v as Record<string, unknown>)[k]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** `v` with every bigint turned into a number. */
function numbers(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (Array.isArray(v)) return v.map(numbers);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [numbers(k), numbers(x)]));
  if (v instanceof Set) return new Set([...v].map(numbers));
  if (v instanceof Uint8Array || v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, numbers(x)]));
}

describe('canonical CBOR encoding', () => {
  it('integers, floats and simple values use the shortest form (RFC 8949 Appendix A)', () => {
    const cases: [unknown, string][] = [
      [0, '00'],
      [23, '17'],
      [24, '1818'],
      [100, '1864'],
      [1000, '1903e8'],
      [1_000_000, '1a000f4240'],
      [Number.MAX_SAFE_INTEGER, '1b001fffffffffffff'],
      [-1, '20'],
      [-1000, '3903e7'],
      [Number.MIN_SAFE_INTEGER, '3b001ffffffffffffe'],
      [100_000.0, '1a000186a0'], // an integral number is an integer
      [1.5, 'f93e00'],
      [-4.1, 'fbc010666666666666'],
      [1.1, 'fb3ff199999999999a'],
      [100_000.5, 'fa47c35040'],
      [3.4028234663852886e38, 'fa7f7fffff'],
      [2 ** -24, 'f90001'], // the smallest float16 subnormal
      [2 ** -14, 'f90400'], // the smallest float16 normal
      [65504, '19ffe0'],
      [65504.5, 'fa477fe080'],
      [2 ** 60, 'fa5d800000'], // beyond 2^53 − 1: a float, in its shortest exact form
      [-0, 'f98000'],
      [Number.POSITIVE_INFINITY, 'f97c00'],
      [Number.NEGATIVE_INFINITY, 'f9fc00'],
      [Number.NaN, 'f97e00'],
      [false, 'f4'],
      [true, 'f5'],
      [null, 'f6'],
      [undefined, 'f7'],
      ['', '60'],
      ['IETF', '6449455446'],
      ['\u00fc', '62c3bc'],
      ['\ud800\udd51', '64f0908591'],
      ['\ufeffbom', '66efbbbf626f6d'],
      [new Uint8Array(0), '40'],
      [Uint8Array.of(1, 2, 3, 4), '4401020304'],
      [[1, [2, 3], [4, 5]], '8301820203820405'],
      [
        Array.from({ length: 25 }, (_, i) => i + 1),
        `9819${hex(Uint8Array.from({ length: 23 }, (_, i) => i + 1))}18181819`,
      ],
      [{}, 'a0'],
      [{ a: 1, b: [2, 3] }, 'a26161016162820203'],
    ];
    for (const [input, expected] of cases) expect(encodeHex(input), String(input)).toBe(expected);
  });

  it('text strings are their UTF-8 bytes after the shortest head, on the ASCII fast paths and off them', () => {
    const cborX = new Encoder({ useRecords: false, variableMapSize: true });
    const samples = [
      ...[0, 1, 23, 24, 63, 64, 65, 255, 256].map((n) => 'k'.repeat(n)),
      'é',
      `${'a'.repeat(63)}é`,
      '日本語',
      'emoji 🎉',
    ];
    fc.assert(
      fc.property(
        fc.oneof(fc.constantFrom(...samples), fc.string({ unit: 'grapheme', maxLength: 80 })),
        (text) => {
          const bytes = encodeCanonicalCbor(text);
          expect([...bytes]).toEqual([...cborX.encode(text)]);
          expect(decodeCanonicalCbor(bytes)).toBe(text);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('float16 conversion is exact for all 65 536 bit patterns (NaNs collapse to 7e00)', () => {
    for (let bits = 0; bits < 0x1_0000; bits++) {
      const value = decodeFloat16(Uint8Array.of(bits >>> 8, bits & 0xff));
      expect(toFloat16Bits(value)).toBe(Number.isNaN(value) ? 0x7e00 : bits);
    }
    expect(toFloat16Bits(65504 + 16)).toBeUndefined(); // above the largest float16
    expect(toFloat16Bits(2 ** -25)).toBeUndefined(); // below the smallest subnormal
    expect(toFloat16Bits(1 + 2 ** -11)).toBeUndefined(); // needs an 11th fraction bit
  });

  it('object keys sort by their encoded bytes (shorter text first, then bytewise), not by insertion', () => {
    const a = { b: 1, a: 2, aa: 3, B: 4, '10': 5, '2': 6 };
    // "2" (32) < "B" (42) < "a" (61) < "b" (62) < "10" (62 31 30) < "aa" (62 61 61)
    expect(encodeHex(a)).toBe('a6' + '613206' + '614204' + '616102' + '616201' + '62313005' + '62616103');
    expect(encodeHex({ '10': 5, aa: 3, a: 2, b: 1, '2': 6, B: 4 })).toBe(encodeHex(a));
  });

  it('Map keys of mixed types follow one total order: the bytewise order of their encodings', () => {
    const map = new Map<unknown, unknown>([
      ['b', 1],
      [[1], 5],
      [1.5, 6],
      [-1, 3],
      ['aa', 4],
      [1, 2],
      [false, 7],
      [Uint8Array.of(9), 8],
    ]);
    // 01 (1) < 20 (-1) < 41 09 (h'09') < 61 62 ("b") < 62 61 61 ("aa") < 81 01 ([1]) < f4 (false) < f9 3e00 (1.5)
    expect(encodeHex(map)).toBe(
      'd90103a8' + '0102' + '2003' + '410908' + '616201' + '62616104' + '810105' + 'f407' + 'f93e0006',
    );
    expect(encodeHex(new Map([...map].reverse()))).toBe(encodeHex(map));
  });

  it('Sets are tag 258 arrays sorted the same way', () => {
    expect(encodeHex(new Set<unknown>([3, 'a', 1, -1, 2]))).toBe('d90102' + '85' + '010203' + '20' + '6161');
    expect(encodeHex(new Set([2, 3, 1]))).toBe(encodeHex(new Set([1, 2, 3])));
  });

  it('the same logical value always encodes to the same bytes, whatever the insertion order', () => {
    fc.assert(
      fc.property(value, (v) => {
        const bytes = encodeCanonicalCbor(v);
        expect(encodeCanonicalCbor(reversed(v))).toEqual(bytes);
        // ... and those bytes are the only ones the decoder accepts for it.
        expect(encodeCanonicalCbor(decodeCanonicalCbor(bytes))).toEqual(bytes);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips every value of the data model (-0, NaN, Maps, Sets, bytes included)', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(decodeCanonicalCbor(encodeCanonicalCbor(v))).toEqual(v);
      }),
      { numRuns: 300 },
    );
  });

  it('is standard CBOR: cbor-x (the WAL codec) reads the same values', () => {
    const reader = new Encoder({ ...CBOR_OPTIONS });
    fc.assert(
      fc.property(value, (v) => {
        // cbor-x hands back integers with an 8-byte argument as bigint; the values are the same.
        expect(numbers(reader.decode(encodeCanonicalCbor(v)))).toEqual(v);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses what it cannot encode faithfully (EncodeError), never converting silently', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    let deep: unknown = 0;
    for (let i = 0; i <= CANONICAL_CBOR_MAX_DEPTH; i++) deep = [deep];
    const refused: [string, unknown][] = [
      ['bigint', 1n],
      ['symbol', Symbol('s')],
      ['function', () => 1],
      ['Date', new Date(0)],
      ['class instance', new (class Point {})()],
      ['other typed array', Int16Array.of(1)],
      ['cycle', cyclic],
      ['lone surrogate', '\ud800x'],
      ['symbol key', { [Symbol('k')]: 1 }],
      [
        'Map keys with one encoding',
        new Map([
          [[1], 'a'],
          [[1], 'b'],
        ]),
      ],
      ['Set elements with one encoding', new Set([[1], [1]])],
      ['too deep', deep],
    ];
    for (const [what, input] of refused) expect(() => encodeCanonicalCbor(input), what).toThrow(EncodeError);
  });
});

describe('canonical CBOR decoding', () => {
  it('accepts only the canonical encoding: every other encoding of a value is a DecodeError', () => {
    const rejected: [string, string][] = [
      ['non-shortest integer', '1800'],
      ['non-shortest length', '780161'],
      ['float16 that is an integer', 'f93c00'],
      ['float64 that fits float16', 'fb3ff8000000000000'],
      ['NaN with a payload', 'f97e01'],
      ['unsorted keys', 'a2616201616102'],
      ['duplicate keys', 'a2616101616102'],
      ['duplicate Set elements', 'd90102820101'],
      ['unsorted Set', 'd90102820201'],
      ['indefinite array', '9f01ff'],
      ['indefinite string', '7f6161ff'],
      ['unknown tag', 'c100'],
      ['tag 258 on a non-array', 'd9010201'],
      ['tag 259 on a non-map', 'd9010380'],
      ['untagged map with a non-text key', 'a10101'],
      ['trailing bytes', '0000'],
      ['invalid UTF-8', '62c328'],
      ['simple value', 'f0'],
      ['break', 'ff'],
      ['reserved additional information', '1c'],
      ['integer above 2^53 − 1', '1b0020000000000000'],
      ['negative integer below −(2^53 − 1)', '3b001fffffffffffff'],
      ['length above 2^53 − 1', '5bffffffffffffffff'],
      ['byte string longer than the payload', '5a7fffffff00'],
      ['array longer than the payload', '9a7fffffff00'],
      ['map longer than the payload', 'ba7fffffff00'],
      ['truncated float', 'fb3ff8'],
      ['empty payload', ''],
    ];
    for (const [what, bytes] of rejected) {
      expect(() => decodeCanonicalCbor(fromHex(bytes)), what).toThrow(DecodeError);
    }
  });

  it('refuses nesting deeper than the limit without exhausting the stack', () => {
    const bytes = new Uint8Array(100_001).fill(0x81);
    bytes[100_000] = 0x00;
    expect(() => decodeCanonicalCbor(bytes)).toThrow(DecodeError);
  });

  it('decodes "__proto__" as an own key: no prototype pollution', () => {
    const bytes = fromHex('a1695f5f70726f746f5f5fa168706f6c6c7574656401');
    const decoded = decodeCanonicalCbor(bytes) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__']);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
    expect(encodeCanonicalCbor(decoded)).toEqual(bytes);
  });

  it('canonicalCborCodec validates with a schema on both sides', () => {
    const schema = {
      safeParse: (v: unknown) =>
        typeof v === 'number'
          ? { success: true as const, data: v }
          : { success: false as const, error: { message: 'not a number' } },
    };
    const codec = canonicalCborCodec<number>({ schema });
    expect(codec.decode(codec.encode(5))).toBe(5);
    expect(() => codec.encode('x' as never)).toThrow(EncodeError);
    expect(() => codec.decode(encodeCanonicalCbor('x'))).toThrow(DecodeError);
  });
});
