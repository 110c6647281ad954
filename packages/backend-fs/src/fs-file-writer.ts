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
 * - Writes are positional, at `length`: the descriptor opened for `writeAndSync` writes the same file, so
 *   neither descriptor's own file offset can be trusted.
 * - `sync` is `fdatasync(2)`. For data appended to a file it is as strong as `fsync(2)`: fdatasync also
 *   flushes the metadata needed to read the data back, and the file size is such metadata. What it skips
 *   (timestamps) recovery never reads. It does not make a new file's directory entry durable; that is
 *   `syncParentDir`. (On macOS, libuv implements it with `F_FULLFSYNC`, which also flushes the drive cache.)
 * - `writeAndSync` writes through a second descriptor of the same file opened `O_DSYNC`
 *   (`FsFileHandle.openDataSync`): one `pwrite` that returns once the bytes and the file size are on
 *   stable storage, the same guarantee as write + `fdatasync` in one system call (one thread-pool round
 *   trip instead of two). `O_DSYNC` covers only the bytes of that write, so it is used only while every
 *   earlier byte of the file is known durable (`unsynced` false: nothing written since the last sync,
 *   and the file was created empty by this writer or synced since open); otherwise, and where the
 *   descriptor cannot be opened, it is write + `fdatasync`.
 * - Fail-stop: after a write or sync fails, every later `write`, `flush` and `sync` rejects with that first
 *   error. Retrying `fsync` after a failure can report success for pages the kernel already dropped, so a
 *   failed writer is never trusted again; `close` still releases the descriptor.
 */
export class FsFileWriter implements FileWriter {
  private written = 0;
  private closed = false;
  private failure: Error | undefined;
  /** Some byte of the file may not be on stable storage: written since the last sync, or there at open. */
  private unsynced: boolean;
  /** The `O_DSYNC` descriptor, opened on the first `writeAndSync`; `null` when it cannot be had. */
  private dataSync: FsFileHandle | null | undefined;

  private constructor(
    readonly path: string,
    private readonly handle: FsFileHandle,
    private readonly lengthAtOpen: number,
  ) {
    this.unsynced = lengthAtOpen > 0;
  }

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
    this.unsynced = true;
    await this.writeThrough(this.handle, bytes);
  }

  async writeAndSync(bytes: Uint8Array): Promise<void> {
    assertBytes(bytes);
    this.assertWritable('writeAndSync');
    const dataSync = this.unsynced ? undefined : await this.openDataSync();
    if (dataSync) return this.writeThrough(dataSync, bytes);
    await this.write(bytes);
    await this.sync();
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
    this.unsynced = false;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Closed before the call: a failed close(2) still releases the descriptor, so it is never retried.
    this.closed = true;
    const handles = this.dataSync ? [this.handle, this.dataSync] : [this.handle];
    const results = await Promise.allSettled(handles.map((handle) => handle.close()));
    const failed = results.find((result) => result.status === 'rejected');
    if (failed) throw mapFsError(failed.reason, 'close', this.path);
  }

  /** Writes `bytes` at `length` through `handle`; a failure poisons the writer. */
  private async writeThrough(handle: FsFileHandle, bytes: Uint8Array): Promise<void> {
    try {
      await writeAll(handle, bytes, this.length, (count) => {
        this.written += count;
      });
    } catch (error) {
      throw this.fail(error, 'write');
    }
  }

  /** The `O_DSYNC` descriptor, opened once; where it cannot be opened, write + fdatasync does the job. */
  private async openDataSync(): Promise<FsFileHandle | null> {
    if (this.dataSync === undefined) {
      try {
        this.dataSync = (await this.handle.openDataSync?.()) ?? null;
      } catch {
        this.dataSync = null;
      }
    }
    return this.dataSync;
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
