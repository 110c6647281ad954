import type { Codec } from '../codec/codec.js';
import { encodeWith } from '../codec/codec.js';
import { type Directory, type DurableDirectory, type FileWriter, writeAndSync } from '../directory.js';
import { DEFAULT_READ_CHUNK_BYTES } from '../encoding/sequential-reader.js';
import { InvalidStateError, LimitExceededError } from '../errors.js';
import { guardDirectory } from '../guarded-directory.js';
import { assertSafePath, parentPath } from '../paths.js';
import {
  encodeRecordLogHeader,
  RECORD_FRAME_HEADER_BYTES,
  RECORD_LOG_HEADER_BYTES,
  writeFrameHeader,
} from './format.js';
import { type RecordLogWriterOptions, type ResolvedWriterOptions, resolveWriterOptions } from './options.js';
import { scanRecordLog } from './scan-record-log.js';

/**
 * Appends records to one record log file (format: FORMAT.md § Record log).
 *
 * Durability ladder: `append` → in this writer's buffer (lost on any crash); `flush()` → handed to the
 * backend (on fs: the OS; survives a process crash); `flushAndSync()` → on stable storage on a backend
 * with `durableSync` (survives power loss), the file's directory entry included after a create.
 *
 * Each record is encoded once, straight into the buffer (a frame larger than the buffer is written
 * directly). Calls may come from concurrent async callers: I/O is serialised internally and frames land
 * in call order. After an I/O error the writer is poisoned: that call and every later one reject with
 * the original error; continue with a new writer from `resume`.
 */
export class RecordLogWriter<T = Uint8Array> {
  readonly path: string;
  private readonly dir: DurableDirectory;
  private readonly file: FileWriter;
  private readonly codec: Codec<T>;
  private readonly maxRecordBytes: number;
  private readonly flushEvery: number;
  private readonly buffer: Uint8Array;
  /** Bytes of `buffer` holding frames not yet handed to `file`. */
  private used = 0;
  private records: number;
  /** The log's length including buffered frames: where the next frame starts. */
  private length: number;
  private appendsSinceFlush = 0;
  /** Set until a `flushAndSync` has also made the file's directory entry durable. */
  private parentDirPending = true;
  /** Operations queued or running; appends take the synchronous path only when it is zero. */
  private pending = 0;
  private queue: Promise<void> = Promise.resolve();
  private failure: { error: unknown } | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    dir: DurableDirectory,
    path: string,
    file: FileWriter,
    options: ResolvedWriterOptions<T>,
    records: number,
  ) {
    this.dir = dir;
    this.path = path;
    this.file = file;
    this.codec = options.codec;
    this.maxRecordBytes = options.maxRecordBytes;
    this.flushEvery = options.flushEvery;
    this.buffer = new Uint8Array(options.bufferBytes);
    this.records = records;
    this.length = file.length;
  }

  /**
   * Creates a new log at `path` and writes its header at once (one atomic create: no other creator of
   * the same path can succeed too). Rejects with `AlreadyExistsError` when the file exists.
   */
  static async create<T = Uint8Array>(
    dir: Directory,
    path: string,
    options?: RecordLogWriterOptions<T>,
  ): Promise<RecordLogWriter<T>> {
    const resolved = resolveWriterOptions(options);
    const guarded = guardDirectory(dir);
    assertSafePath(path); // before its parent is derived, so an error names the path as given
    const parent = parentPath(path);
    if (parent !== '') await guarded.mkdirp(parent);
    await guarded.createExclusive(path, encodeRecordLogHeader());
    const file = await openAt(guarded, path, RECORD_LOG_HEADER_BYTES);
    return new RecordLogWriter(guarded, path, file, resolved, 0);
  }

  /**
   * Opens the log at `path` to continue it, creating it when missing. The log is scanned first; a torn
   * or zero-filled tail is cut back to the end of the last valid frame with `truncate` (the file is never
   * rewritten) and a torn header is reset to a fresh one. Corruption, a foreign or newer file and
   * records above `maxRecordBytes` reject as they do for a strict read: they are never repaired away.
   * Payloads are not decoded (a `DecodeError` is the reader's to report).
   */
  static async resume<T = Uint8Array>(
    dir: Directory,
    path: string,
    options?: RecordLogWriterOptions<T>,
  ): Promise<RecordLogWriter<T>> {
    const resolved = resolveWriterOptions(options);
    const guarded = guardDirectory(dir);
    if (!(await guarded.exists(path))) return RecordLogWriter.create(dir, path, options);
    const report = await scanRecordLog(guarded, path, {
      mode: 'best-effort',
      maxRecordBytes: resolved.maxRecordBytes,
      chunkBytes: DEFAULT_READ_CHUNK_BYTES,
    });
    const durable = guarded.capabilities.durableSync;
    if (report.reason === 'torn-header') {
      await guarded.truncate(path, 0);
      const file = await openAt(guarded, path, 0);
      try {
        await file.write(encodeRecordLogHeader());
        await file.flush();
      } catch (error) {
        await file.close().catch(() => undefined);
        throw error;
      }
      return new RecordLogWriter(guarded, path, file, resolved, 0);
    }
    if (report.droppedBytes > 0) {
      await guarded.truncate(path, report.validBytes);
      // Make the repair itself durable, so a crash cannot bring the dropped tail back under new frames.
      if (durable) await guarded.syncFile(path);
    }
    const file = await openAt(guarded, path, report.validBytes);
    return new RecordLogWriter(guarded, path, file, resolved, report.records);
  }

  /** Records appended to the log, those found by `resume` included. */
  get recordCount(): number {
    return this.records;
  }

  /** The log's length in bytes, header and buffered frames included. */
  get byteLength(): number {
    return this.length;
  }

  /**
   * Appends one record. Resolves once it is in the buffer (or, by the flush policy, flushed).
   * Nothing is written for a record the codec rejects (`EncodeError`) or above `maxRecordBytes`
   * (`LimitExceededError`); those do not poison the writer.
   */
  append(record: T): Promise<void> {
    let payload: Uint8Array;
    try {
      this.assertUsable('append');
      payload = encodeWith(this.codec, record);
      if (payload.length > this.maxRecordBytes) {
        throw new LimitExceededError('record larger than maxRecordBytes', {
          path: this.path,
          expected: `<= ${this.maxRecordBytes}`,
          actual: payload.length,
        });
      }
    } catch (error) {
      return Promise.reject(error);
    }
    const frameBytes = RECORD_FRAME_HEADER_BYTES + payload.length;
    if (this.pending === 0 && this.used + frameBytes <= this.buffer.length) {
      // Nothing in flight owns the buffer: encode into it now, without a trip through the queue.
      this.bufferFrame(payload);
      return this.flushDue() ? this.enqueue(() => this.flushNow()) : Promise.resolve();
    }
    // Queued behind I/O: keep the bytes as they are now, even if the caller reuses its array.
    const owned = payload === (record as unknown) ? payload.slice() : payload;
    return this.enqueue(async () => {
      if (this.used + frameBytes > this.buffer.length) await this.drain();
      if (frameBytes > this.buffer.length) {
        const frameHeader = new Uint8Array(RECORD_FRAME_HEADER_BYTES);
        writeFrameHeader(frameHeader, 0, owned);
        await this.file.write(frameHeader);
        await this.file.write(owned);
        this.counted(frameBytes);
      } else {
        this.bufferFrame(owned);
      }
      if (this.flushDue()) await this.flushNow();
    });
  }

  /** Hands every buffered frame to the backend: visible to readers, and on fs survives a process crash. */
  flush(): Promise<void> {
    return this.enqueueChecked('flush', () => this.flushNow());
  }

  /**
   * Flushes, then makes the file's data durable (`FileWriter.sync`). On a backend with `durableSync`,
   * the first call after `create`/`resume` also syncs the parent directory, so that the file's entry
   * survives power loss too.
   */
  flushAndSync(): Promise<void> {
    return this.enqueueChecked('flushAndSync', async () => {
      await this.drain({ sync: true });
      this.appendsSinceFlush = 0;
      if (this.parentDirPending && this.dir.capabilities.durableSync) {
        await this.dir.syncParentDir(this.path);
      }
      this.parentDirPending = false;
    });
  }

  /**
   * Flushes and closes. Idempotent. Later calls reject with `InvalidStateError`. A poisoned writer
   * releases its file and rejects with the original error.
   */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    const run = async () => {
      if (!this.failure) {
        try {
          await this.drain();
          await this.file.close();
          return;
        } catch (error) {
          this.failure = { error };
        }
      }
      await this.file.close().catch(() => undefined); // release the file; the first error is the one to report
      throw this.failure.error;
    };
    this.pending++;
    this.closing = this.queue.then(run, run).finally(() => {
      this.pending--;
    });
    this.queue = this.closing.catch(() => undefined);
    return this.closing;
  }

  private bufferFrame(payload: Uint8Array): void {
    writeFrameHeader(this.buffer, this.used, payload);
    this.buffer.set(payload, this.used + RECORD_FRAME_HEADER_BYTES);
    this.used += RECORD_FRAME_HEADER_BYTES + payload.length;
    this.counted(RECORD_FRAME_HEADER_BYTES + payload.length);
  }

  private counted(frameBytes: number): void {
    this.records++;
    this.length += frameBytes;
    this.appendsSinceFlush++;
  }

  private flushDue(): boolean {
    return this.flushEvery > 0 && this.appendsSinceFlush >= this.flushEvery;
  }

  private async flushNow(): Promise<void> {
    await this.drain();
    await this.file.flush();
    this.appendsSinceFlush = 0;
  }

  /**
   * Writes the buffered frames in one call; with `sync`, also makes the file's data durable (in the same
   * backend step where the backend offers `writeAndSync`). Runs only inside the queue.
   */
  private async drain({ sync = false } = {}): Promise<void> {
    if (this.used === 0) {
      if (sync) await this.file.sync();
      return;
    }
    const frames = this.buffer.subarray(0, this.used);
    await (sync ? writeAndSync(this.file, frames) : this.file.write(frames));
    this.used = 0;
    // Both sides of the write agree on where the log ends (a backend that lost or added bytes fails here).
    if (this.file.length !== this.length) {
      throw new InvalidStateError('file length differs from the bytes written', {
        path: this.path,
        expected: this.length,
        actual: this.file.length,
      });
    }
  }

  private enqueueChecked(operation: string, op: () => Promise<void>): Promise<void> {
    try {
      this.assertUsable(operation);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.enqueue(op);
  }

  /** Runs `op` after everything queued before it; the first failure poisons the writer. */
  private enqueue(op: () => Promise<void>): Promise<void> {
    const run = async () => {
      if (this.failure) throw this.failure.error;
      try {
        await op();
      } catch (error) {
        this.failure ??= { error };
        throw error;
      }
    };
    this.pending++;
    const result = this.queue.then(run, run).finally(() => {
      this.pending--;
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  private assertUsable(operation: string): void {
    if (this.failure) throw this.failure.error;
    if (this.closing)
      throw new InvalidStateError(`${operation} on a closed record log writer`, { path: this.path });
  }
}

/** Opens `path` for appending and checks that it ends where the caller left it. */
async function openAt(dir: DurableDirectory, path: string, expectedLength: number): Promise<FileWriter> {
  const file = await dir.appendFile(path);
  if (file.length !== expectedLength) {
    await file.close().catch(() => undefined);
    throw new InvalidStateError('record log changed while it was being opened (another writer?)', {
      path,
      expected: expectedLength,
      actual: file.length,
    });
  }
  return file;
}
