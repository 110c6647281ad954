import type { FileWriter } from '@durability/core';
import { InvalidStateError } from '@durability/core';
import { assertBytes } from './byte-count.js';
import type { FsFileHandle, FsOps } from './fs-ops.js';
import { closeQuietly, writeAll } from './fs-steps.js';
import { mapFsError } from './map-fs-error.js';

/**
 * A `FileWriter` over one file descriptor, opened `O_TRUNC` (`createFile`) or `O_APPEND` (`appendFile`).
 *
 * Invariants:
 * - `length` is the size at open plus every byte the kernel accepted since (exact even after a failed,
 *   partially accepted write). Single writer per file: another writer appending to the same file
 *   would make `length` wrong, which the WAL's lock rules out.
 * - `write` resolves only when every byte has been handed to the kernel (short writes are retried), so
 *   there is no buffer in this process: `flush` has nothing left to do and the bytes survive a crash of
 *   this process as soon as `write` resolves.
 * - `sync` is `fdatasync(2)`. For data appended to a file it is as strong as `fsync(2)`: fdatasync also
 *   flushes the metadata needed to read the data back, and the file size is such metadata. What it skips
 *   (timestamps) recovery never reads. It does not make a new file's directory entry durable; that is
 *   `syncParentDir`. (On macOS, libuv implements it with `F_FULLFSYNC`, which also flushes the drive cache.)
 * - Fail-stop: after a write or sync fails, every later `write`, `flush` and `sync` rejects with that first
 *   error. Retrying `fsync` after a failure can report success for pages the kernel already dropped, so a
 *   failed writer is never trusted again; `close` still releases the descriptor.
 */
export class FsFileWriter implements FileWriter {
  private written = 0;
  private closed = false;
  private failure: Error | undefined;

  private constructor(
    readonly path: string,
    private readonly handle: FsFileHandle,
    private readonly lengthAtOpen: number,
  ) {}

  /** Opens `osPath` for `createFile` (`'truncate'`) or `appendFile` (`'append'`). Errors are raw. */
  static async open(
    ops: FsOps,
    osPath: string,
    path: string,
    mode: 'truncate' | 'append',
  ): Promise<FsFileWriter> {
    const handle = await ops.open(osPath, mode === 'truncate' ? 'w' : 'a');
    if (mode === 'truncate') return new FsFileWriter(path, handle, 0);
    try {
      return new FsFileWriter(path, handle, (await handle.stat()).size);
    } catch (error) {
      await closeQuietly(handle);
      throw error;
    }
  }

  get length(): number {
    return this.lengthAtOpen + this.written;
  }

  async write(bytes: Uint8Array): Promise<void> {
    assertBytes(bytes);
    this.assertWritable('write');
    try {
      await writeAll(this.handle, bytes, (count) => {
        this.written += count;
      });
    } catch (error) {
      throw this.fail(error, 'write');
    }
  }

  async flush(): Promise<void> {
    this.assertWritable('flush');
  }

  async sync(): Promise<void> {
    this.assertWritable('sync');
    try {
      await this.handle.datasync();
    } catch (error) {
      throw this.fail(error, 'sync');
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Closed before the call: a failed close(2) still releases the descriptor, so it is never retried.
    this.closed = true;
    try {
      await this.handle.close();
    } catch (error) {
      throw mapFsError(error, 'close', this.path);
    }
  }

  private assertWritable(operation: string): void {
    if (this.closed) throw new InvalidStateError(`${operation} on a closed writer`, { path: this.path });
    if (this.failure !== undefined) throw this.failure;
  }

  private fail(error: unknown, operation: string): Error {
    this.failure = mapFsError(error, operation, this.path);
    return this.failure;
  }
}
