import { type Codec, type EntrySchema, withSchema } from '../codec/codec.js';
import { decodeCanonicalCbor } from './canonical-cbor-decode.js';
import { encodeCanonicalCbor } from './canonical-cbor-encode.js';

export interface CanonicalCborCodecOptions<S> {
  /**
   * Validates values before encoding (`EncodeError`) and after decoding (`DecodeError`); readers get the
   * parsed value.
   */
  schema?: EntrySchema<S>;
  /** Encoding stops with `LimitExceededError` before the output grows past this many bytes. */
  maxBytes?: number;
}

/**
 * The checkpoint codec: deterministic CBOR (canonical-cbor-encode.ts). The same logical value always
 * encodes to the same bytes, whatever the insertion order of its objects, Maps and Sets, and decoding
 * accepts only that one encoding. Plain RFC 8949 CBOR: any CBOR library reads it (Maps as tag 259, Sets
 * as tag 258).
 */
export function canonicalCborCodec<S = unknown>(options: CanonicalCborCodecOptions<S> = {}): Codec<S> {
  const { schema, maxBytes } = options;
  const canonical: Codec<S> = {
    encode: (value: S) => encodeCanonicalCbor(value, maxBytes),
    decode: (bytes: Uint8Array) => decodeCanonicalCbor(bytes) as S,
  };
  return withSchema(canonical, schema, { what: 'state' });
}
