import type { FileReader } from '@durability/core';
import { InvalidStateError } from '@durability/core';
import { assertByteCount } from './byte-count.js';
import type { FsFileHandle, FsOps } from './fs-ops.js';
import { closeQuietly, readFully } from './fs-steps.js';
import { fsError, mapFsError } from './map-fs-error.js';

/**
 * A `FileReader` over one read-only file descriptor.
 *
 * Invariants:
 * - `length` is the size `fstat` reported at open, and reads never go past it: the reader sees the file as
 *   it was when opened (bytes appended later are not read), and no read allocates more than the file held.
 *   A file truncated since open yields shorter reads, never stale bytes.
 * - `read` loops over short reads until it has the bytes asked for or reaches the end of the file.
 */
export class FsFileReader implements FileReader {
  private closed = false;

  private constructor(
    readonly path: string,
    private readonly handle: FsFileHandle,
    readonly length: number,
  ) {}

  /** Opens `osPath` read-only; a directory is refused with `EISDIR`. Errors are raw. */
  static async open(ops: FsOps, osPath: string, path: string): Promise<FsFileReader> {
    const handle = await ops.open(osPath, 'r');
    try {
      const stat = await handle.stat();
      if (stat.isDirectory) throw fsError('EISDIR', 'open', `illegal operation on a directory, '${osPath}'`);
      return new FsFileReader(path, handle, stat.size);
    } catch (error) {
      await closeQuietly(handle);
      throw error;
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    assertByteCount('offset', offset);
    assertByteCount('length', length);
    if (this.closed) throw new InvalidStateError('read on a closed reader', { path: this.path });
    const available = Math.max(0, Math.min(length, this.length - offset));
    if (available === 0) return new Uint8Array(0);
    try {
      return await readFully(this.handle, offset, available);
    } catch (error) {
      throw mapFsError(error, 'read', this.path);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      await this.handle.close();
    } catch (error) {
      throw mapFsError(error, 'close', this.path);
    }
  }
}
