/**
 * CRC-32/IEEE (polynomial 0xEDB88320 reflected, init 0xFFFFFFFF, final xor 0xFFFFFFFF): the checksum of
 * every format in this package. `crc32(b, crc32(a))` equals `crc32(a ‖ b)`, which is how a frame
 * checksum covers its header and payload without copying them together.
 *
 * The runtime's `zlib.crc32` is used when present (Node ≥ 20.15, reached through
 * `process.getBuiltinModule` so that core never imports `node:zlib` and still loads in browsers, Deno
 * and Bun); otherwise a portable slice-by-16 table implementation gives the same values.
 */

type Crc32 = (data: Uint8Array, initial?: number) => number;

const TABLES = buildTables();

/**
 * The portable implementation: slice-by-16 (16 table lookups per 16 input bytes), then slice-by-4 and
 * byte-wise for the rest. Exported for the equality test; use `crc32`.
 *
 * It comes in two forms with the same steps: `portableRange` reads bytes from a `Uint8Array`, and
 * `portableView` reads little-endian words through a `DataView` (about 20% faster per byte, but making a
 * `DataView` costs about as much as checksumming 100 bytes, so only callers that keep one per buffer use
 * it: `crc32View`).
 */
export function crc32Portable(data: Uint8Array, initial = 0): number {
  return portableRange(data, 0, data.length, initial);
}

function portableRange(data: Uint8Array, start: number, end: number, initial: number): number {
  // The CRC is kept as a signed 32-bit value (the tables are Int32Array) so that the JIT keeps it in
  // an integer register; it becomes unsigned once, on return.
  const t = TABLES;
  let crc = ~initial;
  let i = start;
  for (; i + 16 <= end; i += 16) {
    const a = crc ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    crc =
      t[15 * 256 + (a & 0xff)]! ^
      t[14 * 256 + ((a >>> 8) & 0xff)]! ^
      t[13 * 256 + ((a >>> 16) & 0xff)]! ^
      t[12 * 256 + (a >>> 24)]! ^
      t[11 * 256 + data[i + 4]!]! ^
      t[10 * 256 + data[i + 5]!]! ^
      t[9 * 256 + data[i + 6]!]! ^
      t[8 * 256 + data[i + 7]!]! ^
      t[7 * 256 + data[i + 8]!]! ^
      t[6 * 256 + data[i + 9]!]! ^
      t[5 * 256 + data[i + 10]!]! ^
      t[4 * 256 + data[i + 11]!]! ^
      t[3 * 256 + data[i + 12]!]! ^
      t[2 * 256 + data[i + 13]!]! ^
      t[256 + data[i + 14]!]! ^
      t[data[i + 15]!]!;
  }
  // The rest (fewer than 16 bytes, e.g. a 12-byte frame header): 4 bytes at a time, then byte-wise.
  for (; i + 4 <= end; i += 4) {
    const a = crc ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24));
    crc =
      t[3 * 256 + (a & 0xff)]! ^
      t[2 * 256 + ((a >>> 8) & 0xff)]! ^
      t[256 + ((a >>> 16) & 0xff)]! ^
      t[a >>> 24]!;
  }
  for (; i < end; i++) crc = t[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

function portableView(view: DataView, start: number, end: number, initial: number): number {
  // The CRC is kept as a signed 32-bit value (the tables are Int32Array, the words are read as Int32) so
  // that the JIT keeps it in an integer register; it becomes unsigned once, on return.
  const t = TABLES;
  let crc = ~initial;
  let i = start;
  for (; i + 16 <= end; i += 16) {
    const a = crc ^ view.getInt32(i, true);
    const b = view.getInt32(i + 4, true);
    const c = view.getInt32(i + 8, true);
    const d = view.getInt32(i + 12, true);
    crc =
      t[15 * 256 + (a & 0xff)]! ^
      t[14 * 256 + ((a >>> 8) & 0xff)]! ^
      t[13 * 256 + ((a >>> 16) & 0xff)]! ^
      t[12 * 256 + (a >>> 24)]! ^
      t[11 * 256 + (b & 0xff)]! ^
      t[10 * 256 + ((b >>> 8) & 0xff)]! ^
      t[9 * 256 + ((b >>> 16) & 0xff)]! ^
      t[8 * 256 + (b >>> 24)]! ^
      t[7 * 256 + (c & 0xff)]! ^
      t[6 * 256 + ((c >>> 8) & 0xff)]! ^
      t[5 * 256 + ((c >>> 16) & 0xff)]! ^
      t[4 * 256 + (c >>> 24)]! ^
      t[3 * 256 + (d & 0xff)]! ^
      t[2 * 256 + ((d >>> 8) & 0xff)]! ^
      t[256 + ((d >>> 16) & 0xff)]! ^
      t[d >>> 24]!;
  }
  for (; i + 4 <= end; i += 4) {
    const a = crc ^ view.getInt32(i, true);
    crc =
      t[3 * 256 + (a & 0xff)]! ^
      t[2 * 256 + ((a >>> 8) & 0xff)]! ^
      t[256 + ((a >>> 16) & 0xff)]! ^
      t[a >>> 24]!;
  }
  for (; i < end; i++) crc = t[(crc ^ view.getUint8(i)) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** `tables[k * 256 + b]`: the CRC of byte `b` followed by `k` zero bytes (table 0 is the classic one). */
function buildTables(): Int32Array {
  const tables = new Int32Array(16 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = tables[n]!;
    for (let k = 1; k < 16; k++) {
      c = tables[c & 0xff]! ^ (c >>> 8);
      tables[k * 256 + n] = c;
    }
  }
  return tables;
}

function nativeCrc32(): Crc32 | undefined {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    ?.getBuiltinModule;
  if (typeof getBuiltin !== 'function') return undefined;
  const zlib = getBuiltin('node:zlib') as
    | { crc32?: (data: Uint8Array, value?: number) => number }
    | undefined;
  const native = zlib?.crc32;
  if (typeof native !== 'function') return undefined;
  // zlib.crc32 returns 0, not `initial`, for an empty view whose ArrayBuffer has no backing store
  // (e.g. `new Uint8Array(new ArrayBuffer(0))`): zlib's crc32 sees a NULL pointer. The CRC of no bytes
  // continuing from `initial` is `initial`, so answer that without calling it.
  return (data, initial = 0) => (data.length === 0 ? initial >>> 0 : native(data, initial));
}

/** Which implementation `crc32` uses for large inputs in this runtime. */
export const crc32Implementation: 'native' | 'portable' = nativeCrc32() ? 'native' : 'portable';

/**
 * Below this many bytes the portable table code beats the per-call overhead of `zlib.crc32` (measured on
 * Node 20, slice-by-16: 24 vs 50 ns at 12 bytes, 71 vs 159 ns at 96 bytes, about even at 256), so frame
 * headers and small payloads stay in JavaScript.
 */
export const CRC32_NATIVE_MIN_BYTES = 256;

const native = nativeCrc32();

/** CRC-32/IEEE of `data`, continuing from `initial` (the CRC of the bytes before `data`). */
export const crc32: Crc32 = native
  ? (data, initial = 0) =>
      data.length < CRC32_NATIVE_MIN_BYTES ? crc32Portable(data, initial) : native(data, initial)
  : crc32Portable;

/**
 * CRC-32/IEEE of `data[start, end)`, continuing from `initial`: `crc32(data.subarray(start, end), initial)`
 * without making the view.
 */
export function crc32Range(data: Uint8Array, start: number, end: number, initial = 0): number {
  if (native && end - start >= CRC32_NATIVE_MIN_BYTES) return native(data.subarray(start, end), initial);
  return portableRange(data, start, end, initial);
}

/**
 * CRC-32/IEEE of bytes `[start, end)` of `view`, continuing from `initial`. The hot paths (a WAL frame
 * written into a chunk, checked in a read buffer) keep one `DataView` per buffer and pass it here, so that
 * no view is made per frame.
 */
export function crc32View(view: DataView, start: number, end: number, initial = 0): number {
  if (native && end - start >= CRC32_NATIVE_MIN_BYTES) {
    return native(new Uint8Array(view.buffer, view.byteOffset + start, end - start), initial);
  }
  return portableView(view, start, end, initial);
}
