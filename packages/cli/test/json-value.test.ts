import { cborCodec, LimitExceededError } from '@durability/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, toJsonValue } from '../src/json-value.js';

const cbor = cborCodec<unknown>();

describe('toJsonValue (what dump prints)', () => {
  it('JSON values decoded from CBOR print as themselves', () => {
    // cbor-x renames a decoded `__proto__` key to `__proto_` (its prototype-pollution guard), so the
    // generator leaves that one key out; the mapping itself keeps it (next test).
    const json = fc
      .jsonValue({ noUnicodeString: false })
      .filter((value) => !JSON.stringify(value).includes('"__proto__"'));
    fc.assert(
      fc.property(json, (value) => {
        // -0 has no JSON spelling distinct from 0; JSON.parse of the output is the comparison.
        const decoded = cbor.decode(cbor.encode(value));
        expect(JSON.parse(JSON.stringify(toJsonValue(decoded)))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { numRuns: 200 },
    );
  });

  it('a key named __proto__ stays a key (no prototype change)', () => {
    const value = JSON.parse('{"__proto__":{"polluted":1},"a":2}') as object;
    expect(JSON.stringify(toJsonValue(value))).toBe('{"__proto__":{"polluted":1},"a":2}');
  });

  it('bigints: exact numbers within ±(2^53 − 1), decimal strings beyond', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }), (value) => {
        const out = toJsonValue(cbor.decode(cbor.encode(value)));
        if (value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)) {
          expect(out).toBe(Number(value));
        } else {
          expect(out).toBe(value.toString());
        }
      }),
    );
  });

  it('bytes as base64, Map and Set as tagged arrays, unknown tags kept with their number', () => {
    expect(toJsonValue(new Uint8Array([104, 105]))).toEqual({ $bytes: 'aGk=' });
    expect(toJsonValue(new Map([[new Uint8Array([1]), new Set([2n ** 60n])]]))).toEqual({
      $map: [[{ $bytes: 'AQ==' }, { $set: ['1152921504606846976'] }]],
    });
    expect(toJsonValue([undefined, Number.POSITIVE_INFINITY])).toEqual([null, { $number: 'Infinity' }]);
    expect(toJsonValue(new Float32Array([1.5]))).toEqual({ $typedArray: 'Float32Array', values: [1.5] });
    // 0xd9 0x03 0xe7 = tag 999, then 0x01: an unregistered tag around the integer 1.
    expect(toJsonValue(cbor.decode(new Uint8Array([0xd9, 0x03, 0xe7, 0x01])))).toEqual({
      $tag: 999,
      value: 1,
    });
  });

  it('refuses nesting deeper than its cap with a typed error, not a stack overflow', () => {
    let deep: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH + 5; i++) deep = [deep];
    expect(() => toJsonValue(deep)).toThrow(LimitExceededError);
    let ok: unknown = 1;
    for (let i = 0; i < MAX_JSON_DEPTH - 1; i++) ok = [ok];
    expect(() => toJsonValue(ok)).not.toThrow();
  });
});
