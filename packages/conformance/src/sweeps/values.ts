import { DurabilityError } from '@durability/core';

/**
 * Structural equality of decoded values (CBOR data model: primitives, arrays, plain objects, Maps, Sets,
 * byte arrays). `NaN` equals `NaN`; `-0` differs from `0`, as the codecs preserve it. Maps and Sets
 * compare as collections (quadratic: meant for the small values of the sweeps).
 */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    return a instanceof Uint8Array && b instanceof Uint8Array && sameBytes(a, b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return (
      Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]))
    );
  }
  // Maps and Sets compare as collections: canonical CBOR sorts them, so order is not part of the value.
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    const right = [...b.entries()];
    return [...a.entries()].every(([k, v]) => right.some(([k2, v2]) => sameValue(k, k2) && sameValue(v, v2)));
  }
  if (a instanceof Set || b instanceof Set) {
    if (!(a instanceof Set && b instanceof Set) || a.size !== b.size) return false;
    const right = [...b];
    return [...a].every((v) => right.some((w) => sameValue(v, w)));
  }
  const keysA = Object.keys(a).sort();
  const keysB = Object.keys(b).sort();
  if (!sameValue(keysA, keysB)) return false;
  return keysA.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** A short description of anything thrown: the class name and code of a typed error, else its type. */
export function describeError(error: unknown): string {
  if (DurabilityError.is(error)) return `${error.name} [${error.code}]: ${error.message}`;
  if (error instanceof Error) return `untyped ${error.name}: ${error.message}`;
  return `untyped throw of ${typeof error}: ${String(error)}`;
}

/** mulberry32: a small deterministic PRNG; `next()` is uniform in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
