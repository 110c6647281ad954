import {
  type DirectoryCapabilities,
  type DurableDirectory,
  type FileReader,
  type FileWriter,
  parentPath,
} from '@durability/core';
// Test-only: the simulated disk keeps its visible files in the memory backend, imported from source.
import { MemoryDirectory } from '../../../backend-memory/src/index.js';

/**
 * An in-memory disk that simulates power loss, for proving the crash explorer catches backends that lie.
 * It keeps, besides the visible files (a `MemoryDirectory`), what stable storage holds:
 * - each file is a node whose `durable` bytes are its content at its last `sync`/`syncFile`;
 * - `durable` maps paths to nodes; creates, renames and deletes change only the visible namespace until
 *   `syncParentDir` copies that directory's entries (directories themselves are durable at once);
 * - `createFile` over an existing file truncates its durable bytes at once (pessimistic: the truncation
 *   reached the disk, the new data did not);
 * - `atomicWrite` = temp file, `sync`, `rename` (through its own methods, so a broken `sync` or `rename`
 *   breaks it too); `atomicWriteDurable` adds `syncParentDir`.
 * `reopen()` returns a new disk holding only the durable image: the worst case a power loss allows.
 * Subclasses break one promise each (kill set).
 */
export class SimulatedDisk implements DurableDirectory {
  readonly capabilities: DirectoryCapabilities = Object.freeze({
    durableSync: true,
    atomicRename: true,
    nativeAppend: true,
    filePaths: false,
    crossProcessLock: false,
  });
  protected readonly inner = new MemoryDirectory();
  private readonly visible = new Map<string, { durable: Uint8Array }>();
  private readonly durable = new Map<string, { durable: Uint8Array }>();
  private temps = 0;

  /** A fresh disk holding exactly what survives a power loss now. */
  async reopen(): Promise<SimulatedDisk> {
    const disk = new (this.constructor as new () => SimulatedDisk)();
    for (const [path, node] of this.durable) {
      const writer = await disk.createFile(path);
      await writer.write(node.durable);
      await writer.sync();
      await writer.close();
      await disk.syncParentDir(path);
    }
    return disk;
  }

  async createFile(path: string): Promise<FileWriter> {
    const writer = await this.inner.createFile(path);
    const node = this.visible.get(path) ?? { durable: new Uint8Array(0) };
    node.durable = new Uint8Array(0);
    this.visible.set(path, node);
    return this.track(writer, node);
  }

  async appendFile(path: string): Promise<FileWriter> {
    const writer = await this.inner.appendFile(path);
    const node = this.visible.get(path) ?? { durable: new Uint8Array(0) };
    this.visible.set(path, node);
    return this.track(writer, node);
  }

  async createExclusive(path: string, bytes: Uint8Array): Promise<void> {
    await this.inner.createExclusive(path, bytes);
    this.visible.set(path, { durable: bytes.slice() });
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.inner.readFile(path);
  }

  read(path: string, offset: number, length: number): Promise<Uint8Array> {
    return this.inner.read(path, offset, length);
  }

  openReader(path: string): Promise<FileReader> {
    return this.inner.openReader(path);
  }

  size(path: string): Promise<number> {
    return this.inner.size(path);
  }

  exists(path: string): Promise<boolean> {
    return this.inner.exists(path);
  }

  async delete(path: string): Promise<void> {
    await this.inner.delete(path);
    for (const key of [...this.visible.keys()])
      if (key === path || key.startsWith(`${path}/`)) this.visible.delete(key);
  }

  list(dir: string): Promise<string[]> {
    return this.inner.list(dir);
  }

  mkdirp(dir: string): Promise<void> {
    return this.inner.mkdirp(dir);
  }

  async truncate(path: string, length: number): Promise<void> {
    await this.inner.truncate(path, length);
  }

  async rename(from: string, to: string): Promise<void> {
    await this.inner.rename(from, to);
    const node = this.visible.get(from);
    this.visible.delete(from);
    if (node) this.visible.set(to, node);
  }

  async atomicWrite(path: string, bytes: Uint8Array): Promise<void> {
    const temp = `${path}.tmp-${++this.temps}`;
    const writer = await this.createFile(temp);
    await writer.write(bytes);
    await writer.sync();
    await writer.close();
    await this.rename(temp, path);
  }

  filePath(): string | undefined {
    return undefined;
  }

  async syncFile(path: string): Promise<void> {
    const node = this.visible.get(path);
    if (node) node.durable = await this.inner.readFile(path);
  }

  async syncParentDir(path: string): Promise<void> {
    const dir = parentPath(path);
    const inDir = (p: string) => parentPath(p) === dir;
    for (const key of [...this.durable.keys()]) if (inDir(key)) this.durable.delete(key);
    for (const [key, node] of this.visible) if (inDir(key)) this.durable.set(key, node);
  }

  async atomicWriteDurable(path: string, bytes: Uint8Array): Promise<void> {
    await this.atomicWrite(path, bytes);
    await this.syncParentDir(path);
  }

  async atomicRenameDurable(from: string, to: string): Promise<void> {
    await this.rename(from, to);
    await this.syncParentDir(to);
    if (parentPath(from) !== parentPath(to)) await this.syncParentDir(from);
  }

  /** What `FileWriter.sync` makes durable: the file's visible content. */
  protected async syncedContent(writer: FileWriter, _lastWrite: number): Promise<Uint8Array> {
    return this.inner.readFile(writer.path);
  }

  private track(writer: FileWriter, node: { durable: Uint8Array }): FileWriter {
    let lastWrite = 0;
    return {
      get path() {
        return writer.path;
      },
      get length() {
        return writer.length;
      },
      write: async (bytes) => {
        await writer.write(bytes);
        lastWrite = bytes.length;
      },
      flush: () => writer.flush(),
      sync: async () => {
        await writer.sync();
        node.durable = await this.syncedContent(writer, lastWrite);
        lastWrite = 0;
      },
      close: () => writer.close(),
    };
  }
}

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `sync` and `syncFile` do nothing. */
export class SyncDoesNothing extends SimulatedDisk {
  protected override async syncedContent(): Promise<Uint8Array> {
    return new Uint8Array(0);
  }
  override async syncFile(): Promise<void> {}
}

/** `syncParentDir` does nothing: new entries never become durable. */
export class ParentDirSyncDoesNothing extends SimulatedDisk {
  override async syncParentDir(): Promise<void> {}
}

/** `rename` copies into the target (truncating it) and deletes the source, with a pause between. */
export class NonAtomicRename extends SimulatedDisk {
  override async rename(from: string, to: string): Promise<void> {
    const bytes = await this.readFile(from);
    const writer = await this.createFile(to);
    await yieldToIo();
    await writer.write(bytes);
    await writer.sync();
    await writer.close();
    await this.delete(from);
  }
}

/** `atomicWrite` rewrites the file in place in two synced halves, with a pause between. */
export class NonAtomicAtomicWrite extends SimulatedDisk {
  override async atomicWrite(path: string, bytes: Uint8Array): Promise<void> {
    const writer = await this.createFile(path);
    await writer.write(bytes.subarray(0, bytes.length >> 1));
    await writer.sync();
    await yieldToIo();
    await writer.write(bytes.subarray(bytes.length >> 1));
    await writer.sync();
    await writer.close();
  }
}

/** A `sync` makes durable everything but the last write before it: that write lands after the barrier. */
export class ReordersAcrossBarrier extends SimulatedDisk {
  protected override async syncedContent(writer: FileWriter, lastWrite: number): Promise<Uint8Array> {
    const content = await this.inner.readFile(writer.path);
    return content.slice(0, content.length - lastWrite);
  }
}
