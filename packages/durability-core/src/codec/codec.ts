import { Encoder } from 'cbor-x';
import { DecodeError, EncodeError, type ErrorDetails } from '../errors.js';

/**
 * Turns entries into payload bytes and back. `decode` receives checksum-valid bytes; it must throw (any
 * error; `decodeWith` makes it a `DecodeError`) on bytes it cannot read, and must not return a partial
 * value.
 */
export interface Codec<E> {
  encode(value: E): Uint8Array;
  decode(bytes: Uint8Array): E;
}

/**
 * The part of a zod schema the codecs use (zod 3 and 4 both fit): `safeParse` returning the parsed
 * value or an error.
 */
export interface EntrySchema<E> {
  safeParse(value: unknown): { success: true; data: E } | { success: false; error: { message: string } };
}

export interface CborCodecOptions<E> {
  /**
   * Validates every decoded value; a checksum-valid payload that fails it is a `DecodeError`. The parsed
   * value (after zod's transforms) is what readers receive.
   */
  schema?: EntrySchema<E>;
  /** Also validate values before encoding, so nothing unreadable is ever written. Default true. */
  validateOnEncode?: boolean;
}

/**
 * The cbor-x options of the default codec. They make payloads plain RFC 8949 CBOR that any CBOR library
 * decodes, instead of cbor-x's defaults:
 * - `useRecords: false`: no record-structure extension (cbor-x tag 105 and the 0xDFFF.. record ids);
 * - `tagUint8Array: false`: a Uint8Array is a plain byte string (major type 2), not tag 64;
 * - `variableMapSize: true`: map headers use the shortest length (preferred serialization);
 * - `pack: false`, `bundleStrings: false`: no packed-value or string-bundling extensions;
 * - `mapsAsObjects: true`: maps with string keys decode to plain objects;
 * - `copyBuffers: true`: a decoded byte string is a copy, not a view into the bytes being decoded, so an
 *   entry that keeps one does not pin the reader's whole read chunk in memory.
 * Map and Set values encode with the registered tags 259 and 258. Object keys keep insertion order;
 * deterministic encoding of a whole state (sorted keys and sets) is the checkpoint codec's job.
 */
export const CBOR_OPTIONS = Object.freeze({
  useRecords: false,
  tagUint8Array: false,
  variableMapSize: true,
  pack: false,
  bundleStrings: false,
  mapsAsObjects: true,
  copyBuffers: true,
});

/** The default codec: standard CBOR via cbor-x, optionally validated by a zod schema. */
export function cborCodec<E = unknown>(options: CborCodecOptions<E> = {}): Codec<E> {
  const encoder = new Encoder({ ...CBOR_OPTIONS });
  const cbor: Codec<E> = {
    encode(value: E): Uint8Array {
      let bytes: Uint8Array;
      try {
        bytes = encoder.encode(value);
      } catch (error) {
        throw new EncodeError(`CBOR encoding failed: ${messageOf(error)}`, { cause: error });
      }
      if (typeof value === 'object' && value !== null && holdsProtoKey(value)) {
        throw new EncodeError(
          'an object with an own "__proto__" key cannot be stored: cbor-x decodes that key as "__proto_" (prototype-pollution guard), so the entry would not read back as written',
        );
      }
      return bytes;
    },
    decode(bytes: Uint8Array): E {
      try {
        return encoder.decode(bytes) as E;
      } catch (error) {
        throw new DecodeError(`CBOR decoding failed: ${messageOf(error)}`, { cause: error });
      }
    },
  };
  return withSchema(cbor, options.schema, { validateOnEncode: options.validateOnEncode });
}

/**
 * True when `value` holds, at any depth, an object with an enumerable `__proto__` key (from `JSON.parse`,
 * a computed key or `defineProperty`). cbor-x decodes such a key as `__proto_`, so the default
 * codec refuses the entry instead of storing one that reads back different. Map keys are exempt (a Map
 * decodes as a Map, keys intact); objects inside Maps, Sets and arrays are not. Called after a successful
 * encode, so `value` has no cycles; the walk costs about as much as visiting each object once.
 */
function holdsProtoKey(value: object): boolean {
  if (ArrayBuffer.isView(value)) return false;
  if (Array.isArray(value) || value instanceof Set) {
    for (const item of value) if (isObject(item) && holdsProtoKey(item)) return true;
    return false;
  }
  if (value instanceof Map) {
    for (const [key, item] of value) {
      if ((isObject(key) && holdsProtoKey(key)) || (isObject(item) && holdsProtoKey(item))) return true;
    }
    return false;
  }
  // cbor-x writes an object's `Object.keys`; `for…in` yields them too (a JSON.parse'd `__proto__` key is
  // an own enumerable one) and is cheaper than asking `Object.hasOwn` of every object.
  for (const key in value) {
    if (key === '__proto__') return true;
    const item = (value as Record<string, unknown>)[key];
    if (isObject(item) && holdsProtoKey(item)) return true;
  }
  return false;
}

function isObject(value: unknown): value is object {
  return typeof value === 'object' && value !== null;
}

/**
 * `codec` with `schema` checked after every decode (`DecodeError`; readers receive the parsed value, after
 * zod's transforms) and, unless `validateOnEncode` is false, before every encode (`EncodeError`), so
 * nothing unreadable is written. Without a schema, `codec` itself.
 */
export function withSchema<E>(
  codec: Codec<E>,
  schema: EntrySchema<E> | undefined,
  options: { what?: string; validateOnEncode?: boolean } = {},
): Codec<E> {
  if (!schema) return codec;
  const what = options.what ?? 'entry';
  const validateOnEncode = options.validateOnEncode ?? true;
  return {
    encode(value: E): Uint8Array {
      if (validateOnEncode) {
        const result = schema.safeParse(value);
        if (!result.success) {
          throw new EncodeError(`${what} rejected by schema: ${result.error.message}`, {
            cause: result.error,
          });
        }
      }
      return codec.encode(value);
    },
    decode(bytes: Uint8Array): E {
      const result = schema.safeParse(codec.decode(bytes));
      if (!result.success) {
        throw new DecodeError(`${what} rejected by schema: ${result.error.message}`, { cause: result.error });
      }
      return result.data;
    },
  };
}

/** Raw bytes in, raw bytes out: the record log's default. */
export const bytesCodec: Codec<Uint8Array> = Object.freeze({
  encode: (value: Uint8Array) => {
    if (!(value instanceof Uint8Array)) throw new EncodeError('bytesCodec encodes only Uint8Array values');
    return value;
  },
  decode: (bytes: Uint8Array) => bytes,
});

/**
 * Runs a codec's `decode` and makes any failure a `DecodeError` with the location of the payload (path,
 * segment id, offset).
 * Readers call this so that a misbehaving custom codec still yields a typed error.
 */
export function decodeWith<E>(codec: Codec<E>, bytes: Uint8Array, where: Omit<ErrorDetails, 'cause'>): E {
  try {
    return codec.decode(bytes);
  } catch (error) {
    if (DecodeError.is(error)) {
      throw new DecodeError(error.message, { ...where, cause: error.cause ?? error });
    }
    throw new DecodeError(`payload could not be decoded: ${messageOf(error)}`, { ...where, cause: error });
  }
}

/** Runs a codec's `encode` and makes any failure an `EncodeError`. */
export function encodeWith<E>(codec: Codec<E>, value: E): Uint8Array {
  let bytes: Uint8Array;
  try {
    bytes = codec.encode(value);
  } catch (error) {
    if (EncodeError.is(error)) throw error;
    throw new EncodeError(`entry could not be encoded: ${messageOf(error)}`, { cause: error });
  }
  if (!(bytes instanceof Uint8Array)) throw new EncodeError('codec.encode must return a Uint8Array');
  return bytes;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
