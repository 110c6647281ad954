import type { FileReader } from '@durability/core';
import { InvalidStateError } from '@durability/core';
import { assertByteCount } from './arguments.js';
import type { MemoryFile } from './memory-tree.js';

/**
 * A reader of one in-memory file. `length` is fixed when the reader opens, and reads never go past it:
 * the reader sees at most the bytes that existed at open, so a WAL replay streaming a file that is still
 * being appended to stops at a stable end. It holds the file node, like a descriptor holds an inode.
 * Every read returns a fresh copy the caller owns.
 */
export class MemoryFileReader implements FileReader {
  private closed = false;

  constructor(
    readonly path: string,
    private readonly file: MemoryFile,
    readonly length: number,
  ) {}

  async read(offset: number, length: number): Promise<Uint8Array> {
    assertByteCount('offset', offset);
    assertByteCount('length', length);
    if (this.closed) throw new InvalidStateError('read on a closed reader', { path: this.path });
    return this.file.content.copy(offset, Math.min(offset + length, this.length));
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
