import { encodeWith } from '../codec/codec.js';
import { type Directory, type DurableDirectory, type FileWriter, writeAndSync } from '../directory.js';
import { AlreadyExistsError, InvalidStateError, LimitExceededError } from '../errors.js';
import { guardDirectory } from '../guarded-directory.js';
import { FrameBuffer } from './frame-buffer.js';
import { type CommitLevel, CommitQueue, FLUSH, SYNC, WRITE } from './group-commit.js';
import type { ReplayReport } from './replay-report.js';
import {
  createFirstSegment,
  createSegment,
  ensureWalDir,
  type OpenTail,
  openTail,
  sealSegment,
} from './segment-files.js';
import { listSegments } from './segment-name.js';
import { frameBytes, MAX_WAL_ENTRY_BYTES, SEGMENT_HEADER_BYTES } from './wal-format.js';
import { acquireWalLock, LOCK_PATH, type LockTakeover, type WalLock } from './wal-lock.js';
import { type ResolvedWriterOptions, resolveWriterOptions, type WalWriterOptions } from './wal-options.js';
import { scanWal } from './wal-scan.js';

/**
 * Appends entries of type `E` to a segmented WAL. Entry ids are assigned here (1, 2, 3, … continuing
 * across resumes), stored only in frame headers, and returned to the caller.
 *
 * Durability ladder: `append` buffers in memory (lost on any crash); `flush` hands the bytes to the
 * backend (survives a crash of this process); `flushAndSync` puts them on stable storage on a durable
 * backend (survives power loss). Concurrent `flushAndSync` calls share one sync (group commit,
 * group-commit.ts); appends never wait for a sync in progress unless the buffer is full (`bufferBytes`,
 * bounded memory), or the flush policy makes them wait for a flush. A full buffer is written behind the
 * appender's back when no other I/O is running (`writeBehind`).
 *
 * Fail-stop: after a failed write, flush or sync, every later call (and every pending one) rejects with
 * that same error object. The only way forward is a new writer via `WalWriter.resume`.
 *
 * One writer per directory: `wal/.lock` (wal-lock.ts). `close` releases it.
 */
export class WalWriter<E = unknown> {
  private readonly queue: CommitQueue;
  private readonly buffer: FrameBuffer;
  private segment: FileWriter;
  /** The segment the next frame goes to, counting frames still buffered. */
  private tailSegmentId: number;
  private tailBytes: number;
  private tailFrames: number;
  private nextEntryId: number;
  private entriesSinceFlushRequest = 0;
  private unflushed = false;
  private unsynced = false;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly dir: DurableDirectory,
    private readonly options: ResolvedWriterOptions<E>,
    private readonly lock: WalLock,
    tail: OpenTail,
    /** What `resume` found and repaired; `undefined` for `create`. */
    readonly resumeReport: ReplayReport | undefined,
  ) {
    this.segment = tail.writer;
    this.tailSegmentId = tail.segmentId;
    this.tailBytes = tail.bytes;
    this.tailFrames = tail.frames;
    this.nextEntryId = tail.nextEntryId;
    this.buffer = new FrameBuffer(options.bufferBytes, tail.segmentId, tail.startEntryId);
    this.queue = new CommitQueue((level) => this.commit(level));
  }

  /** Opens a fresh WAL; rejects with `AlreadyExistsError` when `dir` already holds segments. */
  static async create<E = unknown>(dir: Directory, options?: WalWriterOptions<E>): Promise<WalWriter<E>> {
    return WalWriter.open(dir, options, async (guarded) => {
      const existing = await listSegments(guarded);
      if (existing.length > 0) {
        throw new AlreadyExistsError('the WAL already has segments; open it with WalWriter.resume', {
          path: existing[0]!.path,
          segmentId: existing[0]!.segmentId,
        });
      }
      await ensureWalDir(guarded);
      const tail = await createFirstSegment(guarded);
      return { tail, report: undefined };
    });
  }

  /**
   * Opens an empty or existing WAL: validates every segment (corruption anywhere is an error, never
   * repaired away), cuts a torn tail of the final segment back to its last valid frame, resets a torn
   * final header, and continues ids after the last valid entry. `resumeReport` says what was dropped.
   */
  static async resume<E = unknown>(dir: Directory, options?: WalWriterOptions<E>): Promise<WalWriter<E>> {
    return WalWriter.open(dir, options, async (guarded) => {
      await ensureWalDir(guarded);
      const scan = await scanWal(guarded, { mode: 'best-effort', maxEntryBytes: MAX_WAL_ENTRY_BYTES });
      return { tail: await openTail(guarded, scan), report: scan.report };
    });
  }

  private static async open<E>(
    dir: Directory,
    options: WalWriterOptions<E> | undefined,
    prepare: (dir: DurableDirectory) => Promise<{ tail: OpenTail; report: ReplayReport | undefined }>,
  ): Promise<WalWriter<E>> {
    const resolved = resolveWriterOptions(options);
    const guarded = guardDirectory(dir);
    const lock = await acquireWalLock(guarded, guarded.filePath(LOCK_PATH) ?? dir, {
      takeover: resolved.lockTakeover,
    });
    try {
      if (lock.takeover) resolved.onLockTakeover?.(lock.takeover);
      const { tail, report } = await prepare(guarded);
      return new WalWriter<E>(guarded, resolved, lock, tail, report);
    } catch (error) {
      await lock.release().catch(() => undefined);
      throw error;
    }
  }

  /** The id of the last appended entry (buffered or not); `undefined` before the first one. */
  get lastEntryId(): number | undefined {
    return this.nextEntryId > 1 ? this.nextEntryId - 1 : undefined;
  }

  /** The stale lock this writer took over when it opened, if any. */
  get lockTakeover(): LockTakeover | undefined {
    return this.lock.takeover;
  }

  /**
   * Appends one entry; resolves with its id (see `flushPolicy` for when). An entry the codec or schema
   * rejects (`EncodeError`) or above `maxEntryBytes` (`LimitExceededError`) is not written, consumes no
   * id and does not poison the writer.
   */
  append(entry: E): Promise<number> {
    let id: number;
    try {
      this.assertUsable();
      id = this.bufferFrame(this.encode(entry));
    } catch (error) {
      return Promise.reject(error);
    }
    const io = this.afterAppend(1);
    return io ? io.then(() => id) : Promise.resolve(id);
  }

  /**
   * Appends entries with contiguous ids: all are encoded before any is buffered (one that fails to
   * encode appends none), and the flush policy runs once for the batch. Not atomic across a crash: a
   * torn tail can keep a prefix of the batch.
   */
  async appendBatch(entries: readonly E[]): Promise<number[]> {
    this.assertUsable();
    if (!Array.isArray(entries)) throw new TypeError('appendBatch expects an array of entries');
    const payloads = entries.map((entry) => this.encode(entry));
    const ids = payloads.map((payload) => this.bufferFrame(payload));
    if (ids.length > 0) await this.afterAppend(ids.length);
    return ids;
  }

  /** Hands every buffered entry to the backend (survives a process crash, not a power loss). */
  flush(): Promise<void> {
    return this.request(FLUSH);
  }

  /** Makes every entry appended before this call durable; concurrent callers share one sync. */
  flushAndSync(): Promise<void> {
    return this.request(SYNC);
  }

  /**
   * Flushes (does not sync: call `flushAndSync` first for durability), closes the segment and releases
   * the lock. Idempotent. On a poisoned writer it still releases the lock, then rejects with the cause.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    let failure: { error: unknown } | undefined;
    try {
      await this.queue.request(FLUSH);
      await this.queue.exclusive(() => this.segment.close());
    } catch (error) {
      failure = { error };
      await this.segment.close().catch(() => undefined);
    }
    try {
      await this.lock.release();
    } catch (error) {
      failure ??= { error };
    }
    if (failure) throw failure.error;
  }

  private request(level: CommitLevel): Promise<void> {
    try {
      this.assertUsable();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.queue.request(level);
  }

  private assertUsable(): void {
    const poison = this.queue.poison;
    if (poison) throw poison.error;
    if (this.closing) throw new InvalidStateError('the WAL writer is closed', { path: this.segment.path });
  }

  private encode(entry: E): Uint8Array {
    const payload = encodeWith(this.options.codec, entry);
    if (payload.length > this.options.maxEntryBytes) {
      throw new LimitExceededError('encoded entry exceeds maxEntryBytes', {
        expected: `≤ ${this.options.maxEntryBytes} bytes`,
        actual: payload.length,
      });
    }
    return payload;
  }

  /** Assigns the next id and buffers the frame, starting a new segment when this one would overflow. */
  private bufferFrame(payload: Uint8Array): number {
    const size = frameBytes(payload.length);
    if (this.tailFrames > 0 && this.tailBytes + size > this.options.segmentSizeBytes) {
      this.tailSegmentId++;
      this.buffer.rotate(this.tailSegmentId, this.nextEntryId);
      this.tailBytes = SEGMENT_HEADER_BYTES;
      this.tailFrames = 0;
    }
    const id = this.nextEntryId++;
    this.buffer.append(id, payload);
    this.tailBytes += size;
    this.tailFrames++;
    return id;
  }

  /** The I/O an append must wait for under the flush policy and the buffer bound, if any. */
  private afterAppend(count: number): Promise<void> | undefined {
    const policy = this.options.flushPolicy;
    if (policy === 'perAppend') return this.queue.request(FLUSH);
    if (typeof policy === 'object') {
      this.entriesSinceFlushRequest += count;
      if (this.entriesSinceFlushRequest >= policy.everyN) {
        this.entriesSinceFlushRequest = 0;
        return this.queue.request(FLUSH);
      }
    }
    if (this.buffer.bytes >= this.options.bufferBytes) return this.writeBehind();
    return undefined;
  }

  /**
   * The buffer is full: its frames go to the backend in the background and the append does not wait, so
   * encoding the next frames overlaps the write. If I/O is already queued (the previous buffer's write,
   * or a sync), the append first waits for that I/O to settle (bounded memory: about 2 × `bufferBytes`
   * plus one frame per caller) and then starts the write behind it. Waiting for the running I/O rather
   * than for a round that includes this buffer matters: a write's completion is only seen when the
   * appender yields to the event loop, which a loop of `await append` on resolved promises never does.
   * A background write that fails poisons the chain like any other: every later call, and this wait,
   * rejects with its error (the appends it carried had only been promised to memory).
   */
  private writeBehind(): Promise<void> | undefined {
    if (!this.queue.busy) {
      void this.queue.request(WRITE);
      return undefined;
    }
    return this.queue.settled().then(() => {
      const poison = this.queue.poison;
      if (poison) throw poison.error;
      if (!this.closing && !this.queue.busy && this.buffer.bytes >= this.options.bufferBytes) {
        void this.queue.request(WRITE);
      }
    });
  }

  /**
   * One round on the I/O chain: write what is buffered now, then flush and sync as asked. A sync round
   * hands its last chunk over with `writeAndSync`, which makes everything written before it durable too
   * (one backend step where the backend offers it).
   */
  private async commit(level: CommitLevel): Promise<void> {
    const parts = this.buffer.take();
    const last = parts.at(-1)?.chunks.at(-1);
    for (const part of parts) {
      if (part.create) {
        await sealSegment(this.segment);
        this.segment = await createSegment(this.dir, part.segmentId, part.startEntryId);
      }
      for (const chunk of part.chunks) {
        this.unflushed = true;
        this.unsynced = true;
        if (level >= SYNC && chunk === last) {
          await writeAndSync(this.segment, chunk);
          this.unflushed = false;
          this.unsynced = false;
        } else {
          await this.segment.write(chunk);
        }
      }
    }
    if (level >= FLUSH && this.unflushed) {
      await this.segment.flush();
      this.unflushed = false;
    }
    if (level >= SYNC && this.unsynced) {
      await this.segment.sync();
      this.unsynced = false;
    }
  }
}
