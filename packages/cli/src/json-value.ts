import { LimitExceededError } from '@durability/core';

/**
 * Decoded CBOR → a value `JSON.stringify` prints without loss or crash. The mapping (README § dump):
 *
 * | decoded value                    | JSON                                             |
 * |----------------------------------|--------------------------------------------------|
 * | string, boolean, null, finite number | itself                                       |
 * | `undefined`                      | `null`                                           |
 * | NaN, ±Infinity                   | `{"$number": "NaN" \| "Infinity" \| "-Infinity"}`  |
 * | bigint within ±(2^53 − 1)        | a number                                         |
 * | bigint beyond                    | its decimal string (exact; JSON numbers are not) |
 * | Uint8Array / Buffer              | `{"$bytes": "<base64>"}`                         |
 * | another typed array (tags 64–87) | `{"$typedArray": "Float32Array", "values": […]}` |
 * | Map (CBOR tag 259, or non-string keys) | `{"$map": [[key, value], …]}` in map order |
 * | Set (CBOR tag 258)               | `{"$set": [value, …]}`                           |
 * | Date (CBOR tag 0/1)              | `{"$date": "<ISO-8601>"}`                        |
 * | another CBOR tag                 | `{"$tag": <number>, "value": …}`                 |
 * | array, plain object              | element-wise / key-wise                          |
 *
 * Nesting deeper than `MAX_JSON_DEPTH` is a `LimitExceededError` (no unbounded recursion on hostile data).
 */

export const MAX_JSON_DEPTH = 512;

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export function toJsonValue(value: unknown, depth = 0): JsonValue {
  if (depth > MAX_JSON_DEPTH) {
    throw new LimitExceededError('decoded entry nests too deeply to print', {
      expected: `≤ ${MAX_JSON_DEPTH} levels`,
    });
  }
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'undefined':
      return null;
    case 'number':
      return Number.isFinite(value) ? value : { $number: String(value) };
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(value)
        : value.toString();
    case 'object':
      return value === null ? null : objectToJson(value, depth + 1);
    default:
      // Functions and symbols never come out of a CBOR decoder; print something rather than crash.
      return String(value);
  }
}

function objectToJson(value: object, depth: number): JsonValue {
  if (value instanceof Uint8Array) return { $bytes: base64(value) };
  if (ArrayBuffer.isView(value)) {
    // Other typed arrays (CBOR tags 64–87 decode to them): element-wise, named by their class.
    const items = Array.from(value as unknown as ArrayLike<unknown>, (item) => toJsonValue(item, depth));
    return { $typedArray: value.constructor.name, values: items };
  }
  if (Array.isArray(value)) return value.map((item) => toJsonValue(item, depth));
  if (value instanceof Map) {
    return { $map: [...value].map(([key, item]) => [toJsonValue(key, depth), toJsonValue(item, depth)]) };
  }
  if (value instanceof Set) return { $set: [...value].map((item) => toJsonValue(item, depth)) };
  if (value instanceof Date) {
    return { $date: Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString() };
  }
  if (isTag(value)) return { $tag: value.tag, value: toJsonValue(value.value, depth) };
  // A null-prototype object: a key named `__proto__` stays an own key instead of setting the prototype.
  const out = Object.create(null) as { [key: string]: JsonValue };
  for (const [key, item] of Object.entries(value)) out[key] = toJsonValue(item, depth);
  return out;
}

/** cbor-x's `Tag` (an unregistered CBOR tag): `{ tag: number, value }` of class `Tag`. */
function isTag(value: object): value is { tag: number; value: unknown } {
  return (
    value.constructor?.name === 'Tag' &&
    typeof (value as { tag?: unknown }).tag === 'number' &&
    'value' in value
  );
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
