import type { DirectoryCapabilities, DurableDirectory, FileReader, FileWriter } from '@durability/core';
import { assertSafePath, NotSupportedError, parentPath } from '@durability/core';
import { assertByteCount, assertBytes } from './arguments.js';
import { GrowableBuffer } from './growable-buffer.js';
import { alreadyExists, conflict, notFound } from './memory-errors.js';
import { MemoryFileReader } from './memory-file-reader.js';
import { MemoryFileWriter } from './memory-file-writer.js';
import { ensureDir, lookup, MemoryDir, MemoryFile, requireFile } from './memory-tree.js';

/**
 * What memory promises: atomic renames and in-place appends, and no stable storage at all. Nothing
 * outlives the process, so the durable operations are refused rather than faked.
 */
export const MEMORY_CAPABILITIES: DirectoryCapabilities = Object.freeze({
  durableSync: false,
  atomicRename: true,
  nativeAppend: true,
  filePaths: false,
  crossProcessLock: false,
});

/**
 * A `Directory` held in process memory: what unit tests and the crash-state explorer run on.
 *
 * Invariants every method keeps:
 * - paths are validated (`assertSafePath`) and arguments checked before any state is read or changed, and
 *   every failure is a rejected promise (only the synchronous `filePath` throws);
 * - each operation runs to completion without yielding, so it is atomic with respect to every other
 *   operation in the process (`createExclusive`, `atomicWrite` and `rename` included);
 * - writes are visible to readers as soon as they resolve;
 * - bytes are copied on the way in and on the way out: no caller shares memory with a stored file.
 *
 * Where the contract leaves a choice it behaves as a file system does: creating a file creates its
 * missing parents, deleting a file leaves its directory, a path below a file does not exist, and
 * file/directory conflicts reject with an `IoError` carrying the errno a file system would give
 * (`EISDIR`, `ENOTDIR`, `EEXIST`, `ENOTEMPTY`, `EINVAL`).
 */
export class MemoryDirectory implements DurableDirectory {
  readonly capabilities: DirectoryCapabilities = MEMORY_CAPABILITIES;
  private root = new MemoryDir();

  /**
   * A deep copy of every file and directory, independent of this one from then on (a snapshot to
   * materialise crash states from, or to fork a test fixture). Open writers and readers stay bound to
   * this directory's files.
   */
  clone(): MemoryDirectory {
    const copy = new MemoryDirectory();
    copy.root = this.root.clone();
    return copy;
  }

  async createFile(path: string): Promise<FileWriter> {
    assertSafePath(path);
    const file = this.fileForWriting(path, 'createFile');
    file.content.truncate(0);
    return new MemoryFileWriter(path, file, 0, 'at-position');
  }

  async appendFile(path: string): Promise<FileWriter> {
    assertSafePath(path);
    const file = this.fileForWriting(path, 'appendFile');
    return new MemoryFileWriter(path, file, file.content.length, 'at-end');
  }

  async createExclusive(path: string, bytes: Uint8Array): Promise<void> {
    assertSafePath(path);
    assertBytes(bytes);
    const found = lookup(this.root, path);
    if (found.kind === 'blocked') throw conflict('createExclusive', path, 'ENOTDIR');
    if (found.kind === 'found') throw alreadyExists('createExclusive', path);
    const parent = found.parent ?? ensureDir(this.root, parentPath(path), 'createExclusive');
    parent.children.set(found.name, new MemoryFile(new GrowableBuffer(bytes)));
  }

  async readFile(path: string): Promise<Uint8Array> {
    assertSafePath(path);
    return requireFile(this.root, path, 'readFile').content.copy();
  }

  async read(path: string, offset: number, length: number): Promise<Uint8Array> {
    assertSafePath(path);
    assertByteCount('offset', offset);
    assertByteCount('length', length);
    return requireFile(this.root, path, 'read').content.copy(offset, offset + length);
  }

  async openReader(path: string): Promise<FileReader> {
    assertSafePath(path);
    const file = requireFile(this.root, path, 'openReader');
    return new MemoryFileReader(path, file, file.content.length);
  }

  async size(path: string): Promise<number> {
    assertSafePath(path);
    return requireFile(this.root, path, 'size').content.length;
  }

  async exists(path: string): Promise<boolean> {
    assertSafePath(path, { allowRoot: true });
    return lookup(this.root, path).kind === 'found';
  }

  async delete(path: string): Promise<void> {
    assertSafePath(path);
    const found = lookup(this.root, path);
    if (found.kind === 'found') found.parent!.children.delete(found.name);
  }

  async list(dir: string): Promise<string[]> {
    assertSafePath(dir, { allowRoot: true });
    const found = lookup(this.root, dir);
    // A missing path and a file both list as empty (the contract: object stores cannot tell them apart).
    if (found.kind !== 'found' || found.node instanceof MemoryFile) return [];
    return [...found.node.children.keys()].sort();
  }

  async mkdirp(dir: string): Promise<void> {
    assertSafePath(dir, { allowRoot: true });
    const found = lookup(this.root, dir);
    if (found.kind === 'found' && found.node instanceof MemoryFile) throw conflict('mkdirp', dir, 'EEXIST');
    ensureDir(this.root, dir, 'mkdirp');
  }

  async truncate(path: string, length: number): Promise<void> {
    assertSafePath(path);
    assertByteCount('length', length);
    const file = requireFile(this.root, path, 'truncate');
    if (length > file.content.length) {
      throw new RangeError(`truncate cannot grow ${path} from ${file.content.length} to ${length} bytes`);
    }
    file.content.truncate(length);
  }

  /**
   * Moves a file or a whole directory, creating the target's missing parents; a file replaces a file, a directory replaces only an empty directory, and a directory cannot move into itself.
   */
  async rename(from: string, to: string): Promise<void> {
    assertSafePath(from);
    assertSafePath(to);
    const source = lookup(this.root, from);
    if (source.kind !== 'found') throw notFound('rename', from);
    if (from === to) return;
    const target = lookup(this.root, to);
    if (target.kind === 'blocked') throw conflict('rename', to, 'ENOTDIR');
    const moving = source.node;
    if (moving instanceof MemoryDir) {
      if (to.startsWith(`${from}/`)) throw conflict('rename', to, 'EINVAL');
      if (target.kind === 'found') {
        if (target.node instanceof MemoryFile) throw conflict('rename', to, 'ENOTDIR');
        if (target.node.children.size > 0) throw conflict('rename', to, 'ENOTEMPTY');
      }
    } else if (target.kind === 'found' && target.node instanceof MemoryDir) {
      throw conflict('rename', to, 'EISDIR');
    }
    const targetParent = target.parent ?? ensureDir(this.root, parentPath(to), 'rename');
    source.parent!.children.delete(source.name);
    targetParent.children.set(target.name, moving);
  }

  async atomicWrite(path: string, bytes: Uint8Array): Promise<void> {
    assertSafePath(path);
    assertBytes(bytes);
    const found = lookup(this.root, path);
    if (found.kind === 'blocked') throw conflict('atomicWrite', path, 'ENOTDIR');
    if (found.kind === 'found' && found.node instanceof MemoryDir)
      throw conflict('atomicWrite', path, 'EISDIR');
    const parent = found.parent ?? ensureDir(this.root, parentPath(path), 'atomicWrite');
    parent.children.set(found.name, new MemoryFile(new GrowableBuffer(bytes)));
  }

  /** Memory has no operating-system paths (`filePaths: false`). */
  filePath(path: string): string | undefined {
    assertSafePath(path, { allowRoot: true });
    return undefined;
  }

  async syncFile(path: string): Promise<void> {
    assertSafePath(path);
    throw notDurable('syncFile', path);
  }

  async syncParentDir(path: string): Promise<void> {
    assertSafePath(path);
    throw notDurable('syncParentDir', path);
  }

  async atomicWriteDurable(path: string, bytes: Uint8Array): Promise<void> {
    assertSafePath(path);
    assertBytes(bytes);
    throw notDurable('atomicWriteDurable', path);
  }

  async atomicRenameDurable(from: string, to: string): Promise<void> {
    assertSafePath(from);
    assertSafePath(to);
    throw notDurable('atomicRenameDurable', from);
  }

  /** The file at `path` for a writer: created with its missing parents when absent. */
  private fileForWriting(path: string, operation: string): MemoryFile {
    const found = lookup(this.root, path);
    if (found.kind === 'blocked') throw conflict(operation, path, 'ENOTDIR');
    if (found.kind === 'found') {
      if (found.node instanceof MemoryDir) throw conflict(operation, path, 'EISDIR');
      return found.node;
    }
    const file = new MemoryFile();
    (found.parent ?? ensureDir(this.root, parentPath(path), operation)).children.set(found.name, file);
    return file;
  }
}

function notDurable(operation: string, path: string): NotSupportedError {
  return new NotSupportedError(`${operation}: memory cannot promise stable storage (durableSync: false)`, {
    path,
  });
}
