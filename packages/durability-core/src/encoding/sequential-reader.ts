import type { FileReader } from '../directory.js';

/**
 * Default size of one ranged read when streaming a file: 256 KiB. Each refill is a new buffer (views
 * handed out stay valid), and now and then one survives a young-generation GC and waits in old space for
 * a full GC, which a replay seldom triggers; with 1 MiB chunks those dead buffers made a 10M-entry
 * replay's peak RSS 1.2–1.4× a 1M-entry one, with 256 KiB it stays within a few percent, at the same speed.
 */
export const DEFAULT_READ_CHUNK_BYTES = 256 * 1024;

/**
 * Streams a file front to back through ranged reads of a bounded size, so memory stays independent of
 * the file's size: at most one chunk plus one frame is held (a frame larger than a chunk is read whole).
 *
 * The fast path is synchronous: `buffered()` says how many bytes are in memory and `take(n)` returns a
 * view of the next `n` of them; `fill(n)` awaits more only when needed. Views stay valid after later
 * calls: a refill allocates a new buffer instead of overwriting the old one.
 */
export class SequentialReader {
  private buffer: Uint8Array = new Uint8Array(0);
  private start = 0;
  /** File offset of `buffer[0]`. */
  private bufferOffset: number;
  private readonly chunkBytes: number;
  /** What `peekInPlace` returns, reused so that the per-frame path allocates nothing. */
  private readonly window = { bytes: this.buffer, index: 0 };

  constructor(
    private readonly reader: FileReader,
    options: { startOffset?: number; chunkBytes?: number } = {},
  ) {
    this.bufferOffset = options.startOffset ?? 0;
    this.chunkBytes = options.chunkBytes ?? DEFAULT_READ_CHUNK_BYTES;
  }

  /** File offset of the next unread byte. */
  get offset(): number {
    return this.bufferOffset + this.start;
  }

  /** The file's length when its reader was opened. */
  get length(): number {
    return this.reader.length;
  }

  /** Bytes between the next unread byte and the end of the file. */
  remaining(): number {
    return Math.max(0, this.reader.length - this.offset);
  }

  /** Bytes available to `take` without I/O. */
  buffered(): number {
    return this.buffer.length - this.start;
  }

  /**
   * Makes at least `n` bytes available (fewer only at the end of the file) and returns how many are.
   * Never reads past the file's length, so callers bound `n` by what the format allows before calling.
   */
  async fill(n: number): Promise<number> {
    if (this.buffered() >= n) return this.buffered();
    const want = Math.min(Math.max(n, this.chunkBytes), this.remaining());
    const have = this.buffered();
    if (want <= have) return have;
    // The `have` unconsumed bytes (fewer than the `n` asked for, at most a chunk) are read again with the
    // rest rather than copied into a merged buffer: the read's bytes belong to us (FileReader contract)
    // and become the buffer as they are, one allocation per refill.
    const chunk = await this.reader.read(this.offset, want);
    this.bufferOffset = this.offset;
    this.buffer = chunk;
    this.start = 0;
    return this.buffered();
  }

  /** The next `n` buffered bytes, without consuming them. Requires `buffered() >= n`. */
  peek(n: number): Uint8Array {
    this.assertBuffered(n);
    return this.buffer.subarray(this.start, this.start + n);
  }

  /**
   * The next `n` buffered bytes in place, without consuming them or making a view: `bytes[index]` is the
   * next unread byte. Valid until the next `fill`. Requires `buffered() >= n`.
   */
  peekInPlace(n: number): { bytes: Uint8Array; index: number } {
    this.assertBuffered(n);
    this.window.bytes = this.buffer;
    this.window.index = this.start;
    return this.window;
  }

  /** Consumes and returns the next `n` buffered bytes. Requires `buffered() >= n`. */
  take(n: number): Uint8Array {
    const view = this.peek(n);
    this.start += n;
    return view;
  }

  /** Consumes the next `n` buffered bytes without making a view of them. Requires `buffered() >= n`. */
  skip(n: number): void {
    this.assertBuffered(n);
    this.start += n;
  }

  /**
   * A view of the `n` bytes consumed last, for a caller that skipped or took them piecewise and needs them
   * whole (an error path). Requires that they were consumed since the last refill.
   */
  consumed(n: number): Uint8Array {
    if (n > this.start)
      throw new RangeError(`only ${this.start} consumed bytes are buffered, ${n} requested`);
    return this.buffer.subarray(this.start - n, this.start);
  }

  /** Reads every remaining byte in bounded chunks and reports whether all of them are zero. */
  async restIsZero(): Promise<boolean> {
    while (this.remaining() > 0) {
      const available = await this.fill(1);
      // The file ended before its reader's length (it shrank while open): nothing more to examine.
      if (available === 0) break;
      const view = this.take(available);
      for (let i = 0; i < view.length; i++) if (view[i] !== 0) return false;
    }
    return true;
  }

  private assertBuffered(n: number): void {
    if (this.buffered() < n) throw new RangeError(`only ${this.buffered()} bytes buffered, ${n} requested`);
  }
}
