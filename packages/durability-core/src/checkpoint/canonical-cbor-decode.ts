import { DecodeError, EncodeError } from '../errors.js';
import { CANONICAL_CBOR_MAX_DEPTH, encodeCanonicalCbor, TAG_MAP, TAG_SET } from './canonical-cbor-encode.js';
import { decodeFloat16 } from './float16.js';

/**
 * Decodes canonical CBOR (canonical-cbor-encode.ts) and refuses every other encoding of the same value,
 * so that bytes ↔ value is a bijection over the data model:
 * - structure: definite lengths only, no reserved or simple values other than `f4`–`f7`, only tags 258
 *   (on an array → `Set`) and 259 (on a map → `Map`), untagged maps have text keys (→ plain objects),
 *   no bytes after the top-level item, integers within ±(2^53 − 1), text strings valid UTF-8;
 * - canonical form: the decoded value is re-encoded and must reproduce the input byte for byte (shortest
 *   arguments, shortest floats, sorted and unique keys and Set elements).
 * Every length is checked against the bytes that remain before anything is allocated for it. Failures
 * are `DecodeError`s with the byte offset of the offending item (relative to the payload).
 * Decoded objects are ordinary objects whose keys are own data properties (`__proto__` included: it
 * never reaches the prototype setter).
 */
export function decodeCanonicalCbor(bytes: Uint8Array): unknown {
  const reader = new Reader(bytes);
  const value = reader.item(0);
  if (reader.offset !== bytes.length) {
    throw new DecodeError('bytes after the end of the CBOR item', {
      offset: reader.offset,
      expected: bytes.length,
      actual: reader.offset,
    });
  }
  let again: Uint8Array;
  try {
    again = encodeCanonicalCbor(value);
  } catch (error) {
    if (!EncodeError.is(error)) throw error;
    throw new DecodeError(`CBOR is not canonical: ${error.message}`, { cause: error });
  }
  const at = firstDifference(again, bytes);
  if (at !== -1) {
    throw new DecodeError('CBOR is not in canonical form (FORMAT.md § Checkpoint)', { offset: at });
  }
  return value;
}

const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Up to this many bytes, an all-ASCII text string is built in JavaScript (no `TextDecoder` call). */
const SHORT_ASCII_BYTES = 64;

/** `bytes[from, end)` as a string when it is short and all ASCII (its own UTF-8); otherwise undefined. */
function shortAscii(bytes: Uint8Array, from: number, end: number): string | undefined {
  if (end - from > SHORT_ASCII_BYTES) return undefined;
  let text = '';
  for (let i = from; i < end; i++) {
    const byte = bytes[i]!;
    if (byte > 0x7f) return undefined;
    text += String.fromCharCode(byte);
  }
  return text;
}

class Reader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  item(depth: number): unknown {
    const start = this.offset;
    const initial = this.u8(start);
    const major = initial >>> 5;
    const info = initial & 0x1f;
    if (major === 7) return this.simple(info, start);
    const argument = this.argument(info, start);
    switch (major) {
      case 0:
        return argument;
      case 1:
        if (argument >= Number.MAX_SAFE_INTEGER) this.fail('negative integer below -(2^53 - 1)', start);
        return -1 - argument;
      case 2:
        return this.bytes.slice(this.offset, this.advance(argument, start));
      case 3: {
        const from = this.offset;
        const end = this.advance(argument, start);
        const ascii = shortAscii(this.bytes, from, end);
        if (ascii !== undefined) return ascii;
        try {
          return textDecoder.decode(this.bytes.subarray(from, end));
        } catch (error) {
          return this.fail('text string is not valid UTF-8', start, error);
        }
      }
      case 4:
        return this.array(argument, depth, start);
      case 5:
        return this.object(argument, depth, start);
      default:
        return this.tagged(argument, depth, start);
    }
  }

  private array(count: number, depth: number, start: number): unknown[] {
    this.enter(depth, start);
    if (count > this.bytes.length - this.offset) this.fail('array longer than the bytes left', start);
    const items: unknown[] = [];
    for (let i = 0; i < count; i++) items.push(this.item(depth + 1));
    return items;
  }

  private object(count: number, depth: number, start: number): Record<string, unknown> {
    this.enter(depth, start);
    if (count > (this.bytes.length - this.offset) / 2) this.fail('map longer than the bytes left', start);
    const record: Record<string, unknown> = {};
    for (let i = 0; i < count; i++) {
      const keyAt = this.offset;
      const key = this.item(depth + 1);
      if (typeof key !== 'string') this.fail('an untagged map has a non-text key (use tag 259)', keyAt);
      Object.defineProperty(record, key, {
        value: this.item(depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return record;
  }

  private tagged(tag: number, depth: number, start: number): unknown {
    const contentAt = this.offset;
    const major = this.u8(contentAt) >>> 5;
    if (tag === TAG_SET && major === 4) {
      const count = this.argument(this.u8(contentAt) & 0x1f, contentAt);
      return new Set(this.array(count, depth, contentAt));
    }
    if (tag === TAG_MAP && major === 5) {
      const count = this.argument(this.u8(contentAt) & 0x1f, contentAt);
      this.enter(depth, contentAt);
      if (count > (this.bytes.length - this.offset) / 2) this.fail('map longer than the bytes left', start);
      const map = new Map<unknown, unknown>();
      for (let i = 0; i < count; i++) {
        const key = this.item(depth + 1);
        map.set(key, this.item(depth + 1));
      }
      return map;
    }
    return this.fail(`unsupported tag ${tag} (only 258 on an array and 259 on a map)`, start);
  }

  private simple(info: number, start: number): unknown {
    this.offset = start + 1;
    switch (info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      case 25:
        return decodeFloat16(this.read(2, start));
      case 26:
        return new DataView(this.read(4, start).buffer).getFloat32(0);
      case 27:
        return new DataView(this.read(8, start).buffer).getFloat64(0);
      default:
        return this.fail(`unsupported simple value or break (additional information ${info})`, start);
    }
  }

  /** The argument of the head at `start` (its initial byte already read); leaves `offset` after it. */
  private argument(info: number, start: number): number {
    this.offset = start + 1;
    if (info < 24) return info;
    if (info === 24) return this.read(1, start)[0]!;
    if (info === 25) {
      const b = this.read(2, start);
      return (b[0]! << 8) | b[1]!;
    }
    if (info === 26) return new DataView(this.read(4, start).buffer).getUint32(0);
    if (info === 27) {
      const view = new DataView(this.read(8, start).buffer);
      const high = view.getUint32(0);
      if (high > 0x1f_ffff) this.fail('integer or length above 2^53 - 1', start);
      return high * 0x1_0000_0000 + view.getUint32(4);
    }
    return this.fail(
      info === 31 ? 'indefinite length (not canonical)' : 'reserved additional information',
      start,
    );
  }

  private read(count: number, start: number): Uint8Array {
    return this.bytes.slice(this.offset, this.advance(count, start));
  }

  /** Moves past `count` bytes, which must exist; returns the new offset. */
  private advance(count: number, start: number): number {
    if (count > this.bytes.length - this.offset) this.fail('item runs past the end of the payload', start);
    this.offset += count;
    return this.offset;
  }

  private u8(at: number): number {
    if (at >= this.bytes.length) this.fail('item runs past the end of the payload', at);
    return this.bytes[at]!;
  }

  private enter(depth: number, start: number): void {
    if (depth >= CANONICAL_CBOR_MAX_DEPTH) {
      this.fail(`containers nest deeper than ${CANONICAL_CBOR_MAX_DEPTH}`, start);
    }
  }

  private fail(message: string, offset: number, cause?: unknown): never {
    throw new DecodeError(`CBOR: ${message}`, { offset, cause });
  }
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}
