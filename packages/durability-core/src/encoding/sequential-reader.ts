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
 * the file's size: at most one chunk plus one frame is buffered (a frame larger than a chunk is read
 * whole), and one more chunk may be in flight.
 *
 * Read-ahead (on unless `readAhead: false`): after every refill the next chunk's read starts at once, so
 * on a backend whose reads wait for I/O (the fs backend's thread pool, an object store's ranged GET) the
 * caller's work on the buffered bytes overlaps the read. At most one read is in flight at a time, and
 * never past the reader's length. A read-ahead that fails rejects the `fill` that needs its bytes, as the
 * read would have; one that is never needed is dropped. Call `settle` before closing the `FileReader`.
 *
 * The fast path is synchronous: `buffered()` says how many bytes are in memory and `take(n)` returns a
 * view of the next `n` of them; `fill(n)` awaits more only when needed. Views stay valid after later
 * calls: a refill never overwrites a buffer, it starts a new one (the read's bytes as they are, or, when
 * unconsumed bytes remain, those bytes followed by the read's).
 */
export class SequentialReader {
  private buffer: Uint8Array = new Uint8Array(0);
  private start = 0;
  /** File offset of `buffer[0]`. */
  private bufferOffset: number;
  private readonly chunkBytes: number;
  /** What `peekInPlace` returns, reused so that the per-frame path allocates nothing. */
  private readonly window = { bytes: this.buffer, index: 0 };
  private readonly readAhead: boolean;
  /** The read of the chunk after the buffer, started before it is needed. */
  private ahead: { offset: number; read: Promise<Uint8Array> } | undefined;

  constructor(
    private readonly reader: FileReader,
    options: { startOffset?: number; chunkBytes?: number; readAhead?: boolean } = {},
  ) {
    this.readAhead = options.readAhead ?? true;
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
    const target = Math.min(n, this.remaining());
    while (this.buffered() < target) {
      const end = this.bufferOffset + this.buffer.length;
      const length = Math.min(Math.max(this.chunkBytes, target - this.buffered()), this.reader.length - end);
      const chunk = await this.readAt(end, length);
      if (chunk.length === 0) break; // the file shrank while open
      this.append(end, chunk);
    }
    this.startReadAhead();
    return this.buffered();
  }

  /** Waits for a read-ahead still in flight, dropping its bytes or error. Call before closing the reader. */
  async settle(): Promise<void> {
    const ahead = this.ahead;
    this.ahead = undefined;
    if (ahead) await ahead.read.catch(() => undefined);
  }

  /** The bytes at `offset`: the read-ahead's when it started there, otherwise a new read. */
  private async readAt(offset: number, length: number): Promise<Uint8Array> {
    const ahead = this.ahead;
    this.ahead = undefined;
    if (ahead?.offset === offset) return ahead.read;
    if (ahead) await ahead.read.catch(() => undefined);
    return this.reader.read(offset, length);
  }

  /** Starts reading the next chunk while the caller works through the buffered bytes. */
  private startReadAhead(): void {
    if (!this.readAhead || this.ahead) return;
    const end = this.bufferOffset + this.buffer.length;
    const length = Math.min(this.chunkBytes, this.reader.length - end);
    if (length <= 0) return;
    const read = this.reader.read(end, length);
    void read.catch(() => undefined); // surfaced when `fill` takes it; never an unhandled rejection
    this.ahead = { offset: end, read };
  }

  /** Adds `chunk` (read at file offset `at`, the end of the buffer) after the unconsumed bytes. */
  private append(at: number, chunk: Uint8Array): void {
    const have = this.buffered();
    if (have === 0) {
      this.buffer = chunk;
      this.bufferOffset = at;
      this.start = 0;
      return;
    }
    const merged = new Uint8Array(have + chunk.length);
    merged.set(this.buffer.subarray(this.start), 0);
    merged.set(chunk, have);
    this.buffer = merged;
    this.bufferOffset = at - have;
    this.start = 0;
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
