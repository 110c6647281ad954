import { EncodeError, LimitExceededError } from '../errors.js';
import { toFloat16Bits } from './float16.js';

/**
 * Canonical CBOR: one logical value, one byte string (FORMAT.md § Checkpoint, "Canonical encoding").
 * RFC 8949 §4.2.1 core deterministic encoding over a fixed data model:
 *
 * | value                                   | encoding                                                  |
 * | --------------------------------------- | --------------------------------------------------------- |
 * | `false` `true` `null` `undefined`       | `f4` `f5` `f6` `f7`                                       |
 * | safe integer (not `-0`)                 | major 0 (≥ 0) or 1 (< 0), shortest argument               |
 * | any other number                        | shortest of float16 / float32 / float64 holding it exactly; NaN is `f9 7e00` |
 * | string (well-formed UTF-16)             | major 3, UTF-8                                            |
 * | `Uint8Array` (and subclasses)           | major 2                                                   |
 * | array                                   | major 4, elements in order                                |
 * | plain object (own enumerable string keys) | major 5, text keys                                      |
 * | `Map`                                   | tag 259, then major 5, keys of any supported type         |
 * | `Set`                                   | tag 258, then major 4                                     |
 *
 * Invariants:
 * - lengths and integers always use the shortest argument; no indefinite lengths;
 * - map entries (objects and Maps) are sorted by the bytewise lexicographic order of their encoded keys,
 *   Set elements by the order of their encodings: a total order over every key type, independent of
 *   insertion order (for text keys: shorter UTF-8 first, then bytewise);
 * - two keys (or Set elements) with the same encoding are an `EncodeError`: the decoded value would
 *   differ from the encoded one;
 * - anything outside the data model (bigint, symbol, function, Date, class instances, other typed
 *   arrays, symbol-keyed properties, strings with lone surrogates, cycles, nesting deeper than
 *   `CANONICAL_CBOR_MAX_DEPTH`) is an `EncodeError`, never silently converted.
 */

/** Containers nested deeper than this are refused by the encoder and the decoder. */
export const CANONICAL_CBOR_MAX_DEPTH = 512;

export const TAG_SET = 258;
export const TAG_MAP = 259;

const textEncoder = new TextEncoder();
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A growable output buffer with an optional hard size limit (checked before it grows). */
class ByteSink {
  bytes = new Uint8Array(256);
  length = 0;

  constructor(private readonly limit: number = Number.POSITIVE_INFINITY) {}

  reserve(count: number): void {
    const needed = this.length + count;
    if (needed > this.limit) {
      throw new LimitExceededError('encoded value exceeds the size limit', {
        expected: `≤ ${this.limit} bytes`,
        actual: `> ${this.limit} bytes`,
      });
    }
    if (needed <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < needed) size *= 2;
    const grown = new Uint8Array(Math.min(size, Math.max(needed, this.limit)));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  byte(value: number): void {
    this.reserve(1);
    this.bytes[this.length++] = value;
  }

  append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.bytes.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** The initial byte and argument of a data item (RFC 8949 §3), shortest form. `value` ≤ 2^53 − 1. */
  head(major: number, value: number): void {
    const m = major << 5;
    if (value < 24) {
      this.byte(m | value);
      return;
    }
    if (value < 0x100) {
      this.reserve(2);
      this.bytes[this.length++] = m | 24;
      this.bytes[this.length++] = value;
      return;
    }
    if (value < 0x1_0000) {
      this.reserve(3);
      this.bytes[this.length++] = m | 25;
      this.bytes[this.length++] = value >>> 8;
      this.bytes[this.length++] = value & 0xff;
      return;
    }
    if (value < 0x1_0000_0000) {
      this.reserve(5);
      this.bytes[this.length++] = m | 26;
      this.u32(value);
      return;
    }
    this.reserve(9);
    this.bytes[this.length++] = m | 27;
    this.u32(Math.floor(value / 0x1_0000_0000));
    this.u32(value % 0x1_0000_0000);
  }

  private u32(value: number): void {
    this.bytes[this.length++] = value >>> 24;
    this.bytes[this.length++] = (value >>> 16) & 0xff;
    this.bytes[this.length++] = (value >>> 8) & 0xff;
    this.bytes[this.length++] = value & 0xff;
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/** Buffers above this size are not kept for reuse (an unusually large key set would stay allocated). */
const SCRATCH_KEEP_BYTES = 64 * 1024;

/**
 * One encoding's state: the containers being encoded (cycle check) and spare scratch buffers for map keys
 * and Set elements, reused from one map to the next instead of allocated per map. A scratch buffer is
 * taken for the duration of one map or Set (nested ones take another) and given back empty.
 */
class EncodeContext {
  readonly ancestors = new Set<object>();
  private readonly spare: ByteSink[] = [];

  takeScratch(): ByteSink {
    return this.spare.pop() ?? new ByteSink();
  }

  giveBack(scratch: ByteSink): void {
    if (scratch.bytes.length > SCRATCH_KEEP_BYTES) return;
    scratch.length = 0;
    this.spare.push(scratch);
  }
}

/**
 * Encodes `value` canonically. `maxBytes` bounds the output: the encoder stops with
 * `LimitExceededError` before its buffer grows past it.
 */
export function encodeCanonicalCbor(value: unknown, maxBytes?: number): Uint8Array {
  const sink = new ByteSink(maxBytes);
  encodeItem(sink, value, 0, new EncodeContext());
  return sink.result();
}

function encodeItem(sink: ByteSink, value: unknown, depth: number, context: EncodeContext): void {
  switch (typeof value) {
    case 'boolean':
      sink.byte(value ? 0xf5 : 0xf4);
      break;
    case 'undefined':
      sink.byte(0xf7);
      break;
    case 'number':
      encodeNumber(sink, value);
      break;
    case 'string':
      encodeText(sink, value);
      break;
    case 'object':
      if (value === null) sink.byte(0xf6);
      else encodeObject(sink, value, depth, context);
      break;
    default:
      throw new EncodeError(`canonical CBOR cannot encode a ${typeof value}`);
  }
}

/**
 * A text string (major type 3). ASCII, the common case (map keys, identifiers), is its own UTF-8 and is
 * copied straight in; anything else goes through `TextEncoder` after the lone-surrogate check (a lone
 * surrogate has no UTF-8 form and `TextEncoder` would silently replace it).
 */
function encodeText(sink: ByteSink, value: string): void {
  const length = value.length;
  let ascii = true;
  for (let i = 0; i < length; i++) {
    if (value.charCodeAt(i) > 0x7f) {
      ascii = false;
      break;
    }
  }
  if (ascii) {
    sink.head(3, length);
    sink.reserve(length);
    const { bytes } = sink;
    for (let i = 0, at = sink.length; i < length; i++) bytes[at + i] = value.charCodeAt(i);
    sink.length += length;
    return;
  }
  if (LONE_SURROGATE.test(value)) {
    throw new EncodeError('a string with a lone surrogate has no UTF-8 encoding', { actual: value });
  }
  const utf8 = textEncoder.encode(value);
  sink.head(3, utf8.length);
  sink.append(utf8);
}

function encodeObject(sink: ByteSink, value: object, depth: number, context: EncodeContext): void {
  if (value instanceof Uint8Array) {
    sink.head(2, value.length);
    sink.append(value);
    return;
  }
  if (depth >= CANONICAL_CBOR_MAX_DEPTH) {
    throw new EncodeError(`value nests deeper than ${CANONICAL_CBOR_MAX_DEPTH} containers`);
  }
  const { ancestors } = context;
  if (ancestors.has(value)) throw new EncodeError('value contains a cycle');
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      sink.head(4, value.length);
      for (let i = 0; i < value.length; i++) encodeItem(sink, value[i], depth + 1, context);
    } else if (value instanceof Map) {
      sink.head(6, TAG_MAP);
      encodeEntries(sink, [...value.entries()], depth, context);
    } else if (value instanceof Set) {
      sink.head(6, TAG_SET);
      encodeSorted(sink, [...value], depth, context);
    } else {
      const proto = Object.getPrototypeOf(value) as unknown;
      if (proto !== Object.prototype && proto !== null) {
        const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'unknown';
        throw new EncodeError(`canonical CBOR cannot encode an instance of ${name}`);
      }
      if (Object.getOwnPropertySymbols(value).length > 0) {
        throw new EncodeError('canonical CBOR cannot encode symbol-keyed properties');
      }
      const record = value as Record<string, unknown>;
      encodeEntries(
        sink,
        Object.keys(record).map((key) => [key, record[key]]),
        depth,
        context,
      );
    }
  } finally {
    ancestors.delete(value);
  }
}

/** A map: keys encoded apart, sorted bytewise, then written with their values. */
function encodeEntries(
  sink: ByteSink,
  entries: [unknown, unknown][],
  depth: number,
  context: EncodeContext,
): void {
  const keys = context.takeScratch();
  const spans = entries.map(([key], index) => {
    const start = keys.length;
    encodeItem(keys, key, depth + 1, context);
    return { start, end: keys.length, index };
  });
  sortSpans(keys.bytes, spans, 'map key');
  sink.head(5, entries.length);
  for (const span of spans) {
    sink.append(keys.bytes.subarray(span.start, span.end));
    encodeItem(sink, entries[span.index]![1], depth + 1, context);
  }
  context.giveBack(keys);
}

/** A Set's elements: encoded apart, sorted bytewise, written as an array. */
function encodeSorted(sink: ByteSink, elements: unknown[], depth: number, context: EncodeContext): void {
  const encoded = context.takeScratch();
  const spans = elements.map((element, index) => {
    const start = encoded.length;
    encodeItem(encoded, element, depth + 1, context);
    return { start, end: encoded.length, index };
  });
  sortSpans(encoded.bytes, spans, 'Set element');
  sink.head(4, elements.length);
  for (const span of spans) sink.append(encoded.bytes.subarray(span.start, span.end));
  context.giveBack(encoded);
}

interface Span {
  start: number;
  end: number;
  index: number;
}

function sortSpans(bytes: Uint8Array, spans: Span[], what: string): void {
  spans.sort((a, b) => compareBytes(bytes, a, b));
  for (let i = 1; i < spans.length; i++) {
    if (compareBytes(bytes, spans[i - 1]!, spans[i]!) === 0) {
      throw new EncodeError(`two ${what}s have the same encoding; the decoded value would lose one`);
    }
  }
}

/** Bytewise lexicographic order; a proper prefix sorts first. */
function compareBytes(bytes: Uint8Array, a: Span, b: Span): number {
  const n = Math.min(a.end - a.start, b.end - b.start);
  for (let i = 0; i < n; i++) {
    const d = bytes[a.start + i]! - bytes[b.start + i]!;
    if (d !== 0) return d;
  }
  return a.end - a.start - (b.end - b.start);
}

const scratch = new DataView(new ArrayBuffer(8));

function encodeNumber(sink: ByteSink, value: number): void {
  if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
    if (value >= 0) sink.head(0, value);
    else sink.head(1, -1 - value);
    return;
  }
  const half = toFloat16Bits(value);
  if (half !== undefined) {
    sink.byte(0xf9);
    sink.byte(half >>> 8);
    sink.byte(half & 0xff);
    return;
  }
  if (Math.fround(value) === value) {
    scratch.setFloat32(0, value);
    sink.byte(0xfa);
    for (let i = 0; i < 4; i++) sink.byte(scratch.getUint8(i));
    return;
  }
  scratch.setFloat64(0, value);
  sink.byte(0xfb);
  for (let i = 0; i < 8; i++) sink.byte(scratch.getUint8(i));
}
