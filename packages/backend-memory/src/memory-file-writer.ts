import type { FileWriter } from '@durability/core';
import { InvalidStateError } from '@durability/core';
import { assertBytes } from './arguments.js';
import type { MemoryFile } from './memory-tree.js';

/**
 * Where a writer's bytes land, as on a file system: `createFile` writes at its own position (a plain
 * descriptor), `appendFile` at the file's current end (`O_APPEND`). They differ only if someone else
 * truncates or extends the file under an open writer.
 */
export type WriteMode = 'at-position' | 'at-end';

/**
 * A writer of one in-memory file. Each `write` lands in the file at once (the contract allows bytes to
 * be visible before `flush`), so `flush` and `sync` have nothing left to do: in memory there is no later
 * storage to reach, and `sync` is only the ordering barrier `durableSync: false` promises.
 *
 * Invariants: `length` is the file's length at open plus every byte written since (for an `at-position`
 * writer, also the offset of its next write); bytes are copied in, so the caller may reuse its buffer at
 * once. The writer holds the file node, not the path (as a descriptor holds an inode): after a `rename`
 * it writes to the moved file, after a `delete` or `atomicWrite` to a file no one can reach, and if the
 * file was truncated under an `at-position` writer the gap up to its position reads as zeros.
 */
export class MemoryFileWriter implements FileWriter {
  private position: number;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly file: MemoryFile,
    position: number,
    private readonly mode: WriteMode,
  ) {
    this.position = position;
  }

  get length(): number {
    return this.position;
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.assertOpen('write');
    assertBytes(bytes);
    if (this.mode === 'at-end') this.file.content.append(bytes);
    else this.file.content.writeAt(this.position, bytes);
    this.position += bytes.length;
  }

  async flush(): Promise<void> {
    this.assertOpen('flush');
  }

  async sync(): Promise<void> {
    this.assertOpen('sync');
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(operation: string): void {
    if (this.closed) throw new InvalidStateError(`${operation} on a closed writer`, { path: this.path });
  }
}
