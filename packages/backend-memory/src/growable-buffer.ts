/** Capacity of the first allocation: small files stay small, and an empty file allocates nothing. */
const MIN_CAPACITY = 64;

const EMPTY = new Uint8Array(0);

/**
 * The bytes of one in-memory file: a byte array whose capacity at least doubles whenever it grows, so any
 * sequence of appends totalling N bytes costs O(N) copying in all.
 *
 * Invariants:
 * - `0 <= length <= capacity`;
 * - `[0, length)` is the file's content; `[length, capacity)` is scratch that may hold stale bytes after a
 *   `truncate`, so it is never exposed: reads copy only within `[0, length)`, and a write that starts past
 *   `length` zero-fills the gap before landing (the file-system semantics of writing past the end);
 * - no caller ever holds a view of the internal array: writes copy in and reads copy out.
 */
export class GrowableBuffer {
  private bytes: Uint8Array;
  private used: number;

  /** A buffer holding a copy of `initial` (empty when omitted). */
  constructor(initial: Uint8Array = EMPTY) {
    this.bytes = initial.length === 0 ? EMPTY : initial.slice();
    this.used = initial.length;
  }

  /** The content's length in bytes. */
  get length(): number {
    return this.used;
  }

  /** Bytes allocated; at least `length`. Exposed for tests of the growth policy. */
  get capacity(): number {
    return this.bytes.length;
  }

  /** Copies `source` in at `offset`, growing the content (and zero-filling any gap past the end). */
  writeAt(offset: number, source: Uint8Array): void {
    const end = offset + source.length;
    if (end > this.bytes.length) this.grow(end);
    if (offset > this.used) this.bytes.fill(0, this.used, offset);
    this.bytes.set(source, offset);
    if (end > this.used) this.used = end;
  }

  /** Appends a copy of `source`. */
  append(source: Uint8Array): void {
    this.writeAt(this.used, source);
  }

  /**
   * Shrinks the content to `length` (at most the current length). Gives memory back when the content
   * falls below a quarter of the capacity, so a truncated WAL segment does not pin its old size.
   */
  truncate(length: number): void {
    if (length > this.used) throw new RangeError(`cannot truncate ${this.used} bytes to ${length}`);
    this.used = length;
    if (length < this.bytes.length / 4) {
      this.bytes = length === 0 ? EMPTY : this.bytes.slice(0, Math.max(MIN_CAPACITY, length * 2));
    }
  }

  /** A fresh copy of the content in `[start, end)`, clamped to the content. The caller owns it. */
  copy(start = 0, end = this.used): Uint8Array {
    const from = Math.min(start, this.used);
    return this.bytes.slice(from, Math.max(from, Math.min(end, this.used)));
  }

  /** An independent buffer with the same content (capacity trimmed to the content). */
  clone(): GrowableBuffer {
    return new GrowableBuffer(this.bytes.subarray(0, this.used));
  }

  /** Reallocates to at least `needed` bytes: double the capacity, or more when one write needs more. */
  private grow(needed: number): void {
    const capacity = Math.max(needed, this.bytes.length * 2, MIN_CAPACITY);
    const next = new Uint8Array(capacity);
    next.set(this.bytes.subarray(0, this.used));
    this.bytes = next;
  }
}
