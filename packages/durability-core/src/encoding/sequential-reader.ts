import type { FileReader } from '../directory.js';

/**
 * Default size of one ranged read when streaming a file: 256 KiB. Each refill is a new buffer (views
 * handed out stay valid), and now and then one survives a young-generation GC and waits in old space for
 * a full GC, which a replay seldom triggers; with 1 MiB chunks those dead buffers made a 10M-entry
 * replay's peak RSS 1.2–1.4× a 1M-entry one, with 256 KiB it stays within a few percent, at the same speed.
 */
export const DEFAULT_READ_CHUNK_BYTES = 256 * 1024;

/** The most a read-ahead re-reads before the end of the buffer (see `startReadAhead`). */
const READ_AHEAD_OVERLAP_BYTES = 4096;

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
  /** A `DataView` of `buffer`, made when `peekInPlace` first needs it after a refill. */
  private bufferView: DataView | undefined;
  /** What `peekInPlace` returns, reused so that the per-frame path allocates nothing. */
  private readonly window = { bytes: this.buffer, view: new DataView(this.buffer.buffer), index: 0 };
  private readonly readAhead: boolean;
  /** How far before the end of the buffer a read-ahead starts: a quarter chunk, at most 4 KiB. */
  private readonly overlapBytes: number;
  /** The read of the next chunk, started before it is needed, at `offset` (≤ the end of the buffer). */
  private ahead: { offset: number; read: Promise<Uint8Array> } | undefined;

  constructor(
    private readonly reader: FileReader,
    options: { startOffset?: number; chunkBytes?: number; readAhead?: boolean } = {},
  ) {
    this.readAhead = options.readAhead ?? true;
    this.bufferOffset = options.startOffset ?? 0;
    this.chunkBytes = options.chunkBytes ?? DEFAULT_READ_CHUNK_BYTES;
    this.overlapBytes = Math.min(READ_AHEAD_OVERLAP_BYTES, Math.floor(this.chunkBytes / 4));
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
      const ahead = this.ahead;
      this.ahead = undefined;
      let at = end;
      let chunk: Uint8Array;
      if (ahead) {
        at = ahead.offset;
        chunk = await ahead.read;
      } else {
        const length = Math.min(
          Math.max(this.chunkBytes, target - this.buffered()),
          this.reader.length - end,
        );
        chunk = await this.reader.read(end, length);
      }
      if (at + chunk.length <= end) break; // the file shrank while open: nothing new
      this.adopt(at, chunk);
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

  /**
   * Starts reading the next chunk while the caller works through the buffered bytes. The read starts
   * `overlapBytes` before the end of the buffer, so that the frame the buffer ends in (usually smaller
   * than the overlap) is whole in the new chunk, which then becomes the buffer as it is, without a copy.
   */
  private startReadAhead(): void {
    if (!this.readAhead || this.ahead) return;
    const end = this.bufferOffset + this.buffer.length;
    if (end >= this.reader.length) return;
    const offset = Math.max(this.offset, end - this.overlapBytes);
    const read = this.reader.read(offset, Math.min(this.chunkBytes, this.reader.length - offset));
    void read.catch(() => undefined); // surfaced when `fill` takes it; never an unhandled rejection
    this.ahead = { offset, read };
  }

  /**
   * Continues the buffer with `chunk`, read at file offset `at` (at most the end of the buffer). When the
   * chunk holds every unconsumed byte it becomes the buffer as it is; otherwise the unconsumed bytes are
   * copied, followed by the chunk's bytes past the end of the buffer.
   */
  private adopt(at: number, chunk: Uint8Array): void {
    const next = this.offset;
    if (at <= next) {
      this.useBuffer(chunk, at, next - at);
      return;
    }
    const end = this.bufferOffset + this.buffer.length;
    const unconsumed = this.buffer.subarray(this.start);
    const fresh = chunk.subarray(end - at);
    const merged = new Uint8Array(unconsumed.length + fresh.length);
    merged.set(unconsumed, 0);
    merged.set(fresh, unconsumed.length);
    this.useBuffer(merged, next, 0);
  }

  /** `bytes` becomes the buffer: it starts at file offset `offset`, and `start` of its bytes are consumed. */
  private useBuffer(bytes: Uint8Array, offset: number, start: number): void {
    this.buffer = bytes;
    this.bufferView = undefined;
    this.bufferOffset = offset;
    this.start = start;
  }

  /** The next `n` buffered bytes, without consuming them. Requires `buffered() >= n`. */
  peek(n: number): Uint8Array {
    this.assertBuffered(n);
    return this.buffer.subarray(this.start, this.start + n);
  }

  /**
   * The next `n` buffered bytes in place, without consuming them or making a view: `bytes[index]` is the
   * next unread byte, and `view` is a `DataView` over `bytes` (one per buffer). Valid until the next
   * `fill`. Requires `buffered() >= n`.
   */
  peekInPlace(n: number): { bytes: Uint8Array; view: DataView; index: number } {
    this.assertBuffered(n);
    this.bufferView ??= new DataView(this.buffer.buffer, this.buffer.byteOffset, this.buffer.byteLength);
    this.window.bytes = this.buffer;
    this.window.view = this.bufferView;
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
