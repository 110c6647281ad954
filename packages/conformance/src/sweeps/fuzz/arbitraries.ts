import { cborCodec, encodeCanonicalCbor } from '@durability/core';
import fc from 'fast-check';
import { type CrcChoice, concatBytes } from './crafted-bytes.js';

/** Caps the fuzz runs its readers with: small, so lengths just above them are cheap to place in a file. */
export const FUZZ_MAX_ENTRY_BYTES = 4096;
export const FUZZ_CHUNK_BYTES = 1024;
/** Largest zero extension of a sparse file: lets a length field up to this point inside the file. */
export const FUZZ_MAX_SPARSE_BYTES = 16 * 1024;

const MiB16 = 16 * 1024 * 1024;

/** A `u32` length field, biased to the boundaries the decoders must check. */
export function lengthField(cap: number): fc.Arbitrary<number> {
  return fc.oneof(
    fc.constantFrom(0, 1, cap - 1, cap, cap + 1, MiB16, MiB16 + 1, 0xffff_ffff, 0x8000_0000),
    fc.nat({ max: 64 }),
    fc.nat({ max: FUZZ_MAX_SPARSE_BYTES }),
    fc.integer({ min: 0, max: 0xffff_ffff }),
  );
}

/** A `u64` id or length field, biased to 0, 1, 2^53 − 1, 2^53 and 2^64 − 1. */
export function u64Field(): fc.Arbitrary<bigint> {
  return fc.oneof(
    fc.constantFrom(0n, 1n, 2n, 3n, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 64n - 1n),
    fc.bigInt({ min: 0n, max: 100n }),
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  );
}

export function crcChoice(validWeight = 4): fc.Arbitrary<CrcChoice> {
  return fc.oneof(
    { weight: validWeight, arbitrary: fc.constant({ valid: true } as const) },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 0, max: 0xffff_ffff }).map((value) => ({ valid: false, value }) as const),
    },
  );
}

/** A 4-byte magic: the right one most of the time, a near miss or random bytes otherwise. */
export function magicField(right: string): fc.Arbitrary<Uint8Array> {
  const bytes = new TextEncoder().encode(right);
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(bytes) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 4, maxLength: 4 }) },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 7 })).map(([i, bit]) => {
        const copy = bytes.slice();
        copy[i] = copy[i]! ^ (1 << bit);
        return copy;
      }),
    },
  );
}

export function versionField(): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(1) },
    { weight: 1, arbitrary: fc.constantFrom(0, 2, 0xffff_ffff) },
  );
}

const cbor = cborCodec();

/** A payload: random bytes, the WAL codec's CBOR of a JSON value, or canonical CBOR (the checkpoint codec). */
export function payloadBytes(): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc.uint8Array({ maxLength: 48 }),
    fc.jsonValue({ maxDepth: 3 }).map((value) => encodedOrEmpty(() => cbor.encode(value))),
    canonicalValue().map((value) => encodedOrEmpty(() => encodeCanonicalCbor(value))),
  );
}

/** The encoding, or no bytes for the rare generated value an encoder refuses (a lone surrogate). */
function encodedOrEmpty(encode: () => Uint8Array): Uint8Array {
  try {
    return encode();
  } catch {
    return new Uint8Array(0);
  }
}

/** Values of the canonical CBOR data model: JSON plus Maps, Sets, byte strings, undefined and -0. */
export function canonicalValue(): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    fc.jsonValue({ maxDepth: 1 }),
    fc.uint8Array({ maxLength: 8 }),
    fc.constantFrom(undefined, -0, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, 1.1),
  );
  return fc.oneof(
    leaf,
    fc.array(leaf, { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 4 }), leaf, { maxKeys: 4 }),
    fc.uniqueArray(fc.integer({ min: -50, max: 50 }), { maxLength: 4 }).map((items) => new Set(items)),
    fc
      .uniqueArray(fc.tuple(fc.oneof(fc.integer({ min: -9, max: 9 }), fc.string({ maxLength: 3 })), leaf), {
        maxLength: 3,
        selector: ([key]) => key,
      })
      .map((pairs) => new Map(pairs)),
  );
}

/** Damage applied after building: bit flips, zeroed ranges, cuts, inserted bytes, zeros appended. */
export type Mutation =
  | { readonly kind: 'flip'; readonly at: number; readonly bit: number }
  | { readonly kind: 'zero'; readonly at: number; readonly length: number }
  | { readonly kind: 'cut'; readonly at: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'append-zeros'; readonly length: number };

export function mutations(): fc.Arbitrary<Mutation[]> {
  const at = fc.nat({ max: 4096 });
  const mutation: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ kind: fc.constant('flip' as const), at, bit: fc.nat({ max: 7 }) }),
    fc.record({ kind: fc.constant('zero' as const), at, length: fc.integer({ min: 1, max: 600 }) }),
    fc.record({ kind: fc.constant('cut' as const), at }),
    fc.record({
      kind: fc.constant('insert' as const),
      at,
      bytes: fc.uint8Array({ minLength: 1, maxLength: 24 }),
    }),
    fc.record({ kind: fc.constant('append-zeros' as const), length: fc.integer({ min: 1, max: 600 }) }),
  );
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant<Mutation[]>([]) },
    { weight: 3, arbitrary: fc.array(mutation, { maxLength: 3 }) },
  );
}

/** `bytes` with `list` applied in order; positions wrap around the current length. */
export function mutate(bytes: Uint8Array, list: readonly Mutation[]): Uint8Array {
  let out = bytes;
  for (const m of list) {
    const at = (position: number) => position % (out.length + 1);
    if (m.kind === 'flip' && out.length > 0) {
      out = out.slice();
      const i = m.at % out.length;
      out[i] = out[i]! ^ (1 << m.bit);
    } else if (m.kind === 'zero' && out.length > 0) {
      out = out.slice();
      const start = m.at % out.length;
      out.fill(0, start, Math.min(out.length, start + m.length));
    } else if (m.kind === 'cut') {
      out = out.slice(0, at(m.at));
    } else if (m.kind === 'insert') {
      const i = at(m.at);
      out = concatBytes([out.subarray(0, i), m.bytes, out.subarray(i)]);
    } else if (m.kind === 'append-zeros') {
      out = concatBytes([out, new Uint8Array(m.length)]);
    }
  }
  return out;
}

/** How much longer than its bytes a file is declared (zeros): usually 0. */
export function sparseExtra(): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.nat({ max: FUZZ_MAX_SPARSE_BYTES }) },
  );
}
