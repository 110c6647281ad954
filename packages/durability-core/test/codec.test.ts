import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  bytesCodec,
  type Codec,
  cborCodec,
  DecodeError,
  decodeWith,
  EncodeError,
  encodeWith,
} from '../src/index.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const fromHex = (text: string) => Uint8Array.from(Buffer.from(text.replaceAll(' ', ''), 'hex'));

/**
 * Values the default codec round-trips exactly. Two exclusions are known cbor-x behaviours, pinned by
 * their own tests below: -0 encodes as the integer 0, and an own `__proto__` key (renamed by cbor-x on
 * decode) is refused on encode.
 */
const key = fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__');
const value = fc.letrec((tie) => ({
  leaf: fc.oneof(
    fc.constant(null),
    fc.constant(undefined),
    fc.boolean(),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.double().map((d) => (Object.is(d, -0) ? 0 : d)),
    fc.string({ maxLength: 20 }),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
    fc.uint8Array({ maxLength: 20 }),
  ),
  node: fc.oneof(
    { depthSize: 'small' },
    tie('leaf'),
    fc.array(tie('node'), { maxLength: 5 }),
    fc.dictionary(key, tie('node'), { maxKeys: 5 }),
    fc.uniqueArray(fc.integer(), { maxLength: 5 }).map((items) => new Set(items)),
    fc
      .uniqueArray(fc.tuple(fc.integer(), tie('node')), { maxLength: 4, selector: ([k]) => k })
      .map((entries) => new Map(entries)),
  ),
})).node;

/** cbor-x hands byte strings back as Node `Buffer`s (a Uint8Array subclass); compare them as bytes. */
function asPlainBytes(v: unknown): unknown {
  if (v instanceof Uint8Array) return new Uint8Array(v);
  if (Array.isArray(v)) return v.map(asPlainBytes);
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, asPlainBytes(x)]));
  if (v instanceof Set) return v;
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asPlainBytes(x)]));
  }
  return v;
}

describe('cborCodec', () => {
  const codec = cborCodec();

  it('round-trips varied values', () => {
    fc.assert(
      fc.property(value, (v) => {
        expect(asPlainBytes(codec.decode(codec.encode(v)))).toEqual(asPlainBytes(v));
      }),
      { numRuns: 300 },
    );
  });

  it('writes standard CBOR (RFC 8949) that any CBOR library reads', () => {
    expect(hex(codec.encode({ a: 1 }))).toBe('a1616101'); // map(1) text(1) "a" unsigned(1)
    expect(hex(codec.encode(Uint8Array.of(1, 2, 3)))).toBe('43010203'); // plain byte string, no tag 64
    expect(hex(codec.encode([1, 'a']))).toBe('82016161');
    expect(hex(codec.encode(null))).toBe('f6');
    expect(hex(codec.encode(true))).toBe('f5');
    expect(hex(codec.encode(new Set([1])))).toBe('d901028101'); // tag 258 (set)
    expect(hex(codec.encode(new Map([[1, 'a']])))).toBe('d90103a1016161'); // tag 259 (map)
    // map(2) "type" "AddSegment" "segmentId" 1: keys in insertion order, shortest headers.
    expect(hex(codec.encode({ type: 'AddSegment', segmentId: 1 }))).toBe(
      ['a2', '64', '74797065', '6a', '416464536567', '6d656e74', '69', '7365676d656e744964', '01'].join(''),
    );
  });

  it('reads CBOR written by others: untagged byte strings and maps', () => {
    expect(codec.decode(fromHex('43 010203'))).toEqual(Uint8Array.of(1, 2, 3));
    expect(codec.decode(fromHex('a2 6161 01 6162 82 02 03'))).toEqual({ a: 1, b: [2, 3] });
  });

  it('decodes byte strings as copies, never as views that pin the bytes being decoded', async () => {
    const payload = codec.encode({ blob: Uint8Array.of(7, 8, 9), n: 1 });
    const chunk = new Uint8Array(1000);
    chunk.set(payload, 500);
    const decoded = codec.decode(chunk.subarray(500, 500 + payload.length)) as { blob: Uint8Array };
    expect(decoded.blob).toEqual(Uint8Array.of(7, 8, 9));
    expect(decoded.blob.buffer).not.toBe(chunk.buffer);
    expect(decoded.blob.buffer.byteLength).toBe(3);
    chunk.fill(0);
    expect(decoded.blob).toEqual(Uint8Array.of(7, 8, 9));
  });

  it('known limits of cbor-x, pinned so a change is noticed: -0, __proto__ keys, Buffer', () => {
    expect(codec.decode(codec.encode(Uint8Array.of(1)))).toBeInstanceOf(Uint8Array);
    expect(Object.is(codec.decode(codec.encode(-0)), 0)).toBe(true);
    // {"__proto__": {"x": 1}} as CBOR bytes, from any writer: cbor-x reads the key renamed.
    const decoded = codec.decode(fromHex('a1 69 5f5f70726f746f5f5f a1 61 78 01')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype); // no prototype pollution ...
    expect(Object.keys(decoded)).toEqual(['__proto_']); // ... but the key is renamed
  });

  it('refuses an own __proto__ key at any depth (it would read back renamed), and nothing else', () => {
    const own = () => JSON.parse('{"__proto__":{"x":1}}') as object;
    for (const value of [
      own(),
      { a: [1, { b: own() }] },
      [own()],
      new Set([own()]),
      new Map<unknown, unknown>([['k', own()]]),
      new Map<unknown, unknown>([[own(), 1]]),
    ]) {
      expect(() => codec.encode(value)).toThrow(EncodeError);
    }
    const withSchema = cborCodec({ schema: z.record(z.string(), z.unknown()) });
    expect(() => withSchema.encode(own() as Record<string, unknown>)).toThrow(EncodeError);
    // What does round-trip: a Map key "__proto__", a "__proto_" key, the string "__proto__" as a value.
    const fine = { m: new Map([['__proto__', 1]]), __proto_: 2, v: '__proto__' };
    const back = codec.decode(codec.encode(fine)) as typeof fine;
    expect(back.m.get('__proto__')).toBe(1);
    expect(back.__proto_).toBe(2);
    expect(back.v).toBe('__proto__');
  });

  it('turns any garbage into DecodeError, never another error type', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          codec.decode(bytes);
        } catch (error) {
          expect(DecodeError.is(error)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
    for (const garbage of ['', 'ff', 'a1', '5bffffffffffffffff', '0000', 'd869 0001', '9f']) {
      expect(() => codec.decode(fromHex(garbage))).toThrow(DecodeError);
    }
  });

  describe('with a schema', () => {
    const schema = z.object({ type: z.literal('AddSegment'), segmentId: z.number().int() });
    const strict = cborCodec({ schema });

    it('round-trips valid values', () => {
      const entry = { type: 'AddSegment' as const, segmentId: 3 };
      expect(strict.decode(strict.encode(entry))).toEqual(entry);
    });

    it('rejects invalid values on encode with EncodeError', () => {
      expect(() => strict.encode({ type: 'AddSegment', segmentId: 'x' } as never)).toThrow(EncodeError);
      try {
        strict.encode({ type: 'Nope' } as never);
      } catch (error) {
        expect(EncodeError.is(error)).toBe(true);
        expect((error as Error).message).toMatch(/schema/);
        expect((error as Error).cause).toBeDefined();
      }
    });

    it('rejects checksum-valid payloads that fail the schema on decode with DecodeError', () => {
      const bytes = cborCodec().encode({ type: 'AddSegment', segmentId: 'x' });
      expect(() => strict.decode(bytes)).toThrow(DecodeError);
      expect(() => strict.decode(bytes)).toThrow(/schema/);
    });

    it('validateOnEncode: false skips the encode check but decode still validates', () => {
      const lax = cborCodec({ schema, validateOnEncode: false });
      const bytes = lax.encode({ type: 'Nope' } as never);
      expect(() => lax.decode(bytes)).toThrow(DecodeError);
    });

    it('returns the parsed value (after transforms)', () => {
      const withTransform = cborCodec({
        schema: z.object({ n: z.number() }).transform((v) => ({ n: v.n * 2 })),
      });
      expect(withTransform.decode(cborCodec().encode({ n: 2 }))).toEqual({ n: 4 });
    });
  });
});

describe('bytesCodec', () => {
  it('passes bytes through and rejects anything else with EncodeError', () => {
    const bytes = Uint8Array.of(1, 2);
    expect(bytesCodec.decode(bytesCodec.encode(bytes))).toBe(bytes);
    expect(() => bytesCodec.encode('x' as never)).toThrow(EncodeError);
    expect(Object.isFrozen(bytesCodec)).toBe(true);
  });
});

describe('decodeWith / encodeWith', () => {
  const where = { path: 'log/records.vrlg', offset: 24 };
  const throwing = (thrown: unknown): Codec<unknown> => ({
    encode: () => {
      throw thrown;
    },
    decode: () => {
      throw thrown;
    },
  });

  it('wraps whatever a custom codec throws into DecodeError with path and offset', () => {
    for (const thrown of [new Error('boom'), new TypeError('bad'), 'a string', undefined]) {
      try {
        decodeWith(throwing(thrown), new Uint8Array(1), where);
        expect.unreachable();
      } catch (error) {
        expect(DecodeError.is(error)).toBe(true);
        const decodeError = error as DecodeError;
        expect(decodeError.path).toBe(where.path);
        expect(decodeError.offset).toBe(where.offset);
        expect(decodeError.message).toContain('path log/records.vrlg, offset 24');
        if (thrown !== undefined) expect(decodeError.cause).toBe(thrown);
      }
    }
  });

  it('adds the location to a DecodeError the codec threw, keeping its cause', () => {
    const inner = new Error('inner');
    try {
      decodeWith(throwing(new DecodeError('bad entry', { cause: inner })), new Uint8Array(1), where);
      expect.unreachable();
    } catch (error) {
      expect(DecodeError.is(error)).toBe(true);
      expect((error as DecodeError).offset).toBe(24);
      expect((error as DecodeError).cause).toBe(inner);
    }
  });

  it('returns the decoded value when the codec succeeds', () => {
    expect(decodeWith(cborCodec(), fromHex('a1616101'), where)).toEqual({ a: 1 });
  });

  it('encodeWith turns failures and non-bytes results into EncodeError', () => {
    expect(() => encodeWith(throwing(new Error('boom')), 1)).toThrow(EncodeError);
    const original = new EncodeError('mine');
    expect(() => encodeWith(throwing(original), 1)).toThrow(original);
    const wrongType: Codec<number> = { encode: () => [1, 2] as never, decode: () => 1 };
    expect(() => encodeWith(wrongType, 1)).toThrow(EncodeError);
    expect(encodeWith(bytesCodec, Uint8Array.of(7))).toEqual(Uint8Array.of(7));
  });
});
