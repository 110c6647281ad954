import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { FsDirectory } from '@durability/backend-fs';
import {
  type DirectoryCapabilities,
  type DurableDirectory,
  type FileReader,
  type FileWriter,
  parentPath,
} from '../../src/index.js';

/**
 * A power-loss model over a real `FsDirectory`: it tracks what the `Directory` contract says is durable,
 * not what the working directory holds, so a missing sync shows up as lost data.
 *
 * - Each file (an inode, `Node`) has `durable` bytes: its content at its last data sync
 *   (`writer.sync()`, `syncFile`), or the content an atomic write published whole.
 * - Two namespaces: `volatile` (what the directory holds now) and `durable` (what survives). Creates,
 *   renames and deletes change `volatile` only; `syncParentDir(p)` (and the parent syncs inside
 *   `atomicWriteDurable` / `atomicRenameDurable`) copies every entry of `p`'s directory from `volatile` to
 *   `durable`, deletions included (an un-synced delete can be undone by a power loss: the file comes back).
 * - `atomicWrite` and `createExclusive` publish whole content but promise no durable entry;
 *   `atomicWriteDurable` makes content and entry durable.
 * - Directories are durable once created (FsDirectory syncs the directories it creates).
 *
 * After every mutating call the durable image is recorded (`images`); `materialise` writes one into a
 * fresh directory: files whose entry is not durable are absent, durable files hold only their synced
 * bytes. This is the worst case the fs crash model allows (ARCHITECTURE §7) for every byte not synced.
 */
export interface DurableImage {
  /** Number of mutating calls completed when the image was taken. */
  afterCalls: number;
  /** The call that produced it. */
  call: string;
  files: ReadonlyMap<string, Uint8Array>;
  /** Set by the workload: the highest entry id acknowledged durable before the crash. */
  acknowledged: number;
}

interface Node {
  durable: Uint8Array;
}

export class SyncTrackingDirectory implements DurableDirectory {
  readonly capabilities: DirectoryCapabilities;
  readonly images: DurableImage[] = [];
  private readonly volatile = new Map<string, Node>();
  private readonly durable = new Map<string, Node>();
  private calls = 0;

  constructor(private readonly inner: FsDirectory) {
    this.capabilities = inner.capabilities;
    this.record('start');
  }

  /** Records that every entry id ≤ `id` is acknowledged durable (applies to the latest image and later). */
  acknowledge(id: number): void {
    this.images.at(-1)!.acknowledged = Math.max(this.images.at(-1)!.acknowledged, id);
  }

  async createFile(path: string): Promise<FileWriter> {
    const writer = await this.inner.createFile(path);
    // O_TRUNC keeps the inode: its durable bytes stay until the truncation is synced.
    const node = this.volatile.get(path) ?? { durable: new Uint8Array(0) };
    this.volatile.set(path, node);
    this.record(`createFile ${path}`);
    return this.track(writer, node);
  }

  async appendFile(path: string): Promise<FileWriter> {
    const writer = await this.inner.appendFile(path);
    const node = this.volatile.get(path) ?? { durable: new Uint8Array(0) };
    this.volatile.set(path, node);
    this.record(`appendFile ${path}`);
    return this.track(writer, node);
  }

  async createExclusive(path: string, bytes: Uint8Array): Promise<void> {
    await this.inner.createExclusive(path, bytes);
    this.volatile.set(path, { durable: bytes.slice() });
    this.record(`createExclusive ${path}`);
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
    for (const key of [...this.volatile.keys()]) {
      if (key === path || key.startsWith(`${path}/`)) this.volatile.delete(key);
    }
    this.record(`delete ${path}`);
  }

  list(dir: string): Promise<string[]> {
    return this.inner.list(dir);
  }

  mkdirp(dir: string): Promise<void> {
    return this.inner.mkdirp(dir);
  }

  async truncate(path: string, length: number): Promise<void> {
    await this.inner.truncate(path, length);
    this.record(`truncate ${path}`);
  }

  async rename(from: string, to: string): Promise<void> {
    await this.inner.rename(from, to);
    this.move(from, to);
    this.record(`rename ${from}`);
  }

  async atomicWrite(path: string, bytes: Uint8Array): Promise<void> {
    await this.inner.atomicWrite(path, bytes);
    this.volatile.set(path, { durable: bytes.slice() });
    this.record(`atomicWrite ${path}`);
  }

  filePath(path: string): string | undefined {
    return this.inner.filePath(path);
  }

  async syncFile(path: string): Promise<void> {
    await this.inner.syncFile(path);
    const node = this.volatile.get(path);
    if (node) node.durable = await this.inner.readFile(path);
    this.record(`syncFile ${path}`);
  }

  async syncParentDir(path: string): Promise<void> {
    await this.inner.syncParentDir(path);
    this.persistEntries(parentPath(path));
    this.record(`syncParentDir ${path}`);
  }

  async atomicWriteDurable(path: string, bytes: Uint8Array): Promise<void> {
    await this.inner.atomicWriteDurable(path, bytes);
    this.volatile.set(path, { durable: bytes.slice() });
    this.persistEntries(parentPath(path));
    this.record(`atomicWriteDurable ${path}`);
  }

  async atomicRenameDurable(from: string, to: string): Promise<void> {
    await this.inner.atomicRenameDurable(from, to);
    this.move(from, to);
    this.persistEntries(parentPath(to));
    this.persistEntries(parentPath(from));
    this.record(`atomicRenameDurable ${from}`);
  }

  /** Writes `image` into a fresh temporary directory and returns its path. */
  static async materialise(image: DurableImage, parent = tmpdir()): Promise<string> {
    const root = await mkdtemp(join(parent, 'durability-crash-'));
    for (const [path, bytes] of image.files) {
      const osPath = join(root, ...path.split('/'));
      await mkdir(dirname(osPath), { recursive: true });
      await writeFile(osPath, bytes);
    }
    return root;
  }

  private track(writer: FileWriter, node: Node): FileWriter {
    return {
      get path() {
        return writer.path;
      },
      get length() {
        return writer.length;
      },
      write: async (bytes) => {
        await writer.write(bytes);
        this.record(`write ${writer.path}`);
      },
      flush: () => writer.flush(),
      sync: async () => {
        await writer.sync();
        node.durable = await this.inner.readFile(writer.path);
        this.record(`sync ${writer.path}`);
      },
      // The fs writer's own (one O_DSYNC write when it can), so crash tests cover that path too.
      writeAndSync: async (bytes) => {
        await writer.writeAndSync!(bytes);
        node.durable = await this.inner.readFile(writer.path);
        this.record(`writeAndSync ${writer.path}`);
      },
      close: () => writer.close(),
    };
  }

  private move(from: string, to: string): void {
    for (const key of [...this.volatile.keys()]) {
      if (key === from || key.startsWith(`${from}/`)) {
        this.volatile.set(to + key.slice(from.length), this.volatile.get(key)!);
        this.volatile.delete(key);
      }
    }
  }

  /** An fsync of directory `dir`: its durable entries become exactly its current ones. */
  private persistEntries(dir: string): void {
    const inDir = (path: string) => parentPath(path) === dir;
    for (const key of [...this.durable.keys()]) if (inDir(key)) this.durable.delete(key);
    for (const [key, node] of this.volatile) if (inDir(key)) this.durable.set(key, node);
  }

  private record(call: string): void {
    const files = new Map<string, Uint8Array>();
    for (const [path, node] of this.durable) files.set(path, node.durable);
    this.images.push({
      afterCalls: this.calls++,
      call,
      files,
      acknowledged: this.images.at(-1)?.acknowledged ?? 0,
    });
  }
}
