import { dirname } from 'node:path';
import type { DirectoryCapabilities, DurableDirectory, FileReader, FileWriter } from '@durability/core';
import { assertSafePath } from '@durability/core';
import { blockingFsOps } from './blocking-fs-ops.js';
import { assertByteCount, assertBytes } from './byte-count.js';
import { FsFileReader } from './fs-file-reader.js';
import { FsFileWriter } from './fs-file-writer.js';
import type { FsOps } from './fs-ops.js';
import { nodeFsOps } from './fs-ops.js';
import { ensureDirectory, syncDirectory, unlinkQuietly, withHandle, writeSyncedNewFile } from './fs-steps.js';
import { errnoOf, fsError, mapFsError } from './map-fs-error.js';
import { isMissing, RootedPaths } from './resolve-within-root.js';
import { tempSiblingPath } from './temp-file-name.js';

/**
 * How `FsDirectory` performs its file-system calls: `'async'` (`nodeFsOps`, `node:fs/promises` on
 * libuv's thread pool) or `'blocking'` (`blockingFsOps`, Node's synchronous calls on the calling thread).
 */
export type FsIoMode = 'async' | 'blocking';

export interface FsDirectoryOptions {
  /**
   * The file-system calls to use; `nodeFsOps` by default. For tests and fault injection only: wrap
   * `nodeFsOps` (or `blockingFsOps`) with `interceptFsOps` to trace call order or to fail any call,
   * file-handle calls included. Not combinable with `io` (`TypeError`): `ops` already decides it.
   */
  readonly ops?: FsOps;
  /**
   * `'async'` (default): every call goes through `node:fs/promises`, on libuv's thread pool; the event
   * loop keeps serving other work while a write or an fsync is in flight.
   *
   * `'blocking'`: every call uses Node's synchronous API (`writeSync`, `fdatasyncSync`, ...) on the
   * calling thread. The trade-off, plainly: every file-system call (each write, each fdatasync, each
   * directory fsync) then blocks the event loop for its whole duration. On a fast local disk this gives
   * the lowest latency per durable append, because nothing makes a thread-pool round trip; on a slow disk
   * (say a 10 ms fsync) it stalls every other task in the process for those 10 ms. Meant for a dedicated
   * writer process, or a process whose event loop has nothing else to do. Durability guarantees are
   * identical: the same system calls in the same order. The methods still return promises, and failures
   * are still rejections with the same typed errors.
   */
  readonly io?: FsIoMode;
}

const IO_MODES: Readonly<Record<FsIoMode, FsOps>> = Object.freeze({
  async: nodeFsOps,
  blocking: blockingFsOps,
});

/** The `FsOps` the options select; `TypeError` for an unknown `io` or for `ops` and `io` together. */
function selectOps(options: FsDirectoryOptions): FsOps {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const { ops, io } = options;
  if (io !== undefined && !Object.hasOwn(IO_MODES, io)) {
    throw new TypeError(`io must be 'async' or 'blocking', got ${String(io)}`);
  }
  if (ops !== undefined && io !== undefined) {
    throw new TypeError('pass either ops or io, not both: ops already decides how calls are made');
  }
  return ops ?? IO_MODES[io ?? 'async'];
}

const FS_CAPABILITIES: DirectoryCapabilities = Object.freeze({
  durableSync: true,
  atomicRename: true,
  nativeAppend: true,
  filePaths: true,
  crossProcessLock: true,
});

/**
 * A `DurableDirectory` on the local file system, rooted at `root` (created on demand).
 *
 * Every method checks its arguments (`TypeError`/`RangeError`), validates its paths with
 * `assertSafePath`, and refuses a path that escapes the root through a symbolic link (`InvalidPathError`),
 * all before it changes anything on disk. Every failure is mapped by `mapFsError`, so only typed errors
 * (and `TypeError`/`RangeError` for bad arguments) escape, always as rejections.
 * Directories the backend creates on demand are made durable before the call returns.
 */
export class FsDirectory implements DurableDirectory {
  readonly capabilities: DirectoryCapabilities = FS_CAPABILITIES;
  private readonly ops: FsOps;
  private readonly paths: RootedPaths;

  /** No I/O: `root` need not exist yet. `TypeError` for a bad `root` or bad `options`. */
  constructor(root: string, options: FsDirectoryOptions = {}) {
    if (typeof root !== 'string' || root === '') throw new TypeError('root must be a non-empty path');
    this.ops = selectOps(options);
    this.paths = new RootedPaths(root, this.ops);
  }

  /** The root as an absolute OS path. */
  get root(): string {
    return this.paths.root;
  }

  createFile(path: string): Promise<FileWriter> {
    return this.run('createFile', path, async (osPath) => {
      await ensureDirectory(this.ops, dirname(osPath));
      return FsFileWriter.open(this.ops, osPath, path, 'truncate');
    });
  }

  appendFile(path: string): Promise<FileWriter> {
    return this.run('appendFile', path, async (osPath) => {
      await ensureDirectory(this.ops, dirname(osPath));
      return FsFileWriter.open(this.ops, osPath, path, 'append');
    });
  }

  /**
   * Temp sibling written and fsynced, then `link(2)`ed to `path`: link fails with EEXIST when `path`
   * exists (in any process), and the file appears with its full content or not at all. The temp is
   * removed whatever happens. The new entry is not durable until `syncParentDir(path)`.
   */
  async createExclusive(path: string, bytes: Uint8Array): Promise<void> {
    assertBytes(bytes);
    return this.run('createExclusive', path, async (osPath) => {
      await ensureDirectory(this.ops, dirname(osPath));
      const temp = tempSiblingPath(osPath);
      try {
        await writeSyncedNewFile(this.ops, temp, bytes);
        await this.ops.link(temp, osPath);
      } finally {
        await unlinkQuietly(this.ops, temp);
      }
    });
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.run('readFile', path, async (osPath) => {
      const reader = await FsFileReader.open(this.ops, osPath, path);
      return closeAfter(reader, () => reader.read(0, reader.length));
    });
  }

  async read(path: string, offset: number, length: number): Promise<Uint8Array> {
    assertByteCount('offset', offset);
    assertByteCount('length', length);
    return this.run('read', path, async (osPath) => {
      const reader = await FsFileReader.open(this.ops, osPath, path);
      return closeAfter(reader, () => reader.read(offset, length));
    });
  }

  openReader(path: string): Promise<FileReader> {
    return this.run('openReader', path, (osPath) => FsFileReader.open(this.ops, osPath, path));
  }

  size(path: string): Promise<number> {
    return this.run('size', path, async (osPath) => {
      const stat = await this.ops.stat(osPath);
      if (stat.isDirectory) throw fsError('EISDIR', 'stat', `illegal operation on a directory, '${osPath}'`);
      return stat.size;
    });
  }

  exists(path: string): Promise<boolean> {
    return this.run('exists', path, async (osPath) => path === '' || this.existsOs(osPath), {
      allowRoot: true,
    });
  }

  /**
   * `rm -rf`: symbolic links below `path` are removed, never followed. A path below a regular file
   * (ENOTDIR) names nothing, so deleting it succeeds like deleting any other missing path.
   */
  delete(path: string): Promise<void> {
    return this.run('delete', path, async (osPath) => {
      try {
        await this.ops.rm(osPath);
      } catch (error) {
        if (!isMissing(error)) throw error;
      }
    });
  }

  list(dir: string): Promise<string[]> {
    return this.run(
      'list',
      dir,
      async (osPath) => {
        try {
          return (await this.ops.readdir(osPath)).sort();
        } catch (error) {
          // Missing, below a regular file, or a file itself: not a directory, so it lists as empty (the
          // contract: object stores cannot tell these apart).
          if (isMissing(error) || errnoOf(error) === 'ENOTDIR') return [];
          throw error;
        }
      },
      { allowRoot: true },
    );
  }

  mkdirp(dir: string): Promise<void> {
    return this.run('mkdirp', dir, (osPath) => ensureDirectory(this.ops, osPath), { allowRoot: true });
  }

  /** Shrinks through one descriptor, so the size check and the truncation see the same file. */
  async truncate(path: string, length: number): Promise<void> {
    assertByteCount('length', length);
    return this.run('truncate', path, async (osPath) => {
      await withHandle(this.ops, osPath, 'r+', async (handle) => {
        const { size } = await handle.stat();
        if (length > size) {
          throw new RangeError(`truncate cannot grow ${path} from ${size} to ${length} bytes`);
        }
        if (length < size) await handle.truncate(length);
      });
    });
  }

  rename(from: string, to: string): Promise<void> {
    return this.runRename('rename', from, to, async () => {});
  }

  async atomicWrite(path: string, bytes: Uint8Array): Promise<void> {
    assertBytes(bytes);
    return this.run('atomicWrite', path, (osPath) => this.writeAtomically(osPath, bytes));
  }

  filePath(path: string): string {
    assertSafePath(path, { allowRoot: true });
    return this.paths.osPath(path);
  }

  /** fsync(2) of the file (data and metadata). */
  syncFile(path: string): Promise<void> {
    return this.run('syncFile', path, (osPath) =>
      withHandle(this.ops, osPath, 'r', (handle) => handle.sync()),
    );
  }

  /** fsync(2) of the directory holding `path` (the root for a top-level name). */
  syncParentDir(path: string): Promise<void> {
    return this.run('syncParentDir', path, (osPath) => syncDirectory(this.ops, dirname(osPath)));
  }

  /** Same steps as `atomicWrite`, which is already durable on this backend. */
  async atomicWriteDurable(path: string, bytes: Uint8Array): Promise<void> {
    assertBytes(bytes);
    return this.run('atomicWriteDurable', path, (osPath) => this.writeAtomically(osPath, bytes));
  }

  /**
   * Rename, then fsync the parent of `to`, then the parent of `from` when it differs. `to`'s directory
   * first: a crash between the two syncs can leave the file under both names, never under neither.
   */
  atomicRenameDurable(from: string, to: string): Promise<void> {
    return this.runRename('atomicRenameDurable', from, to, async (fromOs, toOs) => {
      await syncDirectory(this.ops, dirname(toOs));
      if (dirname(fromOs) !== dirname(toOs)) await syncDirectory(this.ops, dirname(fromOs));
    });
  }

  /**
   * Temp sibling → write → fsync temp → rename over `osPath` → fsync the directory. Readers and recovery
   * see the old content or the new, never a mix: the temp's data is durable before the rename can be,
   * and rename(2) replaces the entry atomically. The temp is removed on any failure before the rename.
   */
  private async writeAtomically(osPath: string, bytes: Uint8Array): Promise<void> {
    const dir = dirname(osPath);
    await ensureDirectory(this.ops, dir);
    const temp = tempSiblingPath(osPath);
    try {
      await writeSyncedNewFile(this.ops, temp, bytes);
      await this.ops.rename(temp, osPath);
    } catch (error) {
      await unlinkQuietly(this.ops, temp);
      throw error;
    }
    await syncDirectory(this.ops, dir);
  }

  private async existsOs(osPath: string): Promise<boolean> {
    try {
      await this.ops.stat(osPath);
      return true;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  /** Validates, resolves and runs one single-path operation, mapping whatever it throws. */
  private async run<T>(
    operation: string,
    path: string,
    action: (osPath: string) => Promise<T>,
    options: { allowRoot?: boolean } = {},
  ): Promise<T> {
    try {
      assertSafePath(path, options);
      return await action(await this.paths.resolve(path));
    } catch (error) {
      throw mapFsError(error, operation, path);
    }
  }

  /** `rename(2)` of `from` over `to` (creating `to`'s missing parents), then `after`. Errors name `from`. */
  private async runRename(
    operation: string,
    from: string,
    to: string,
    after: (fromOs: string, toOs: string) => Promise<void>,
  ): Promise<void> {
    try {
      assertSafePath(from);
      assertSafePath(to);
      const fromOs = await this.paths.resolve(from);
      const toOs = await this.paths.resolve(to);
      try {
        await this.ops.rename(fromOs, toOs);
      } catch (error) {
        // ENOENT with `from` present means `to`'s parent is missing: create it and retry. Checked after
        // the fact so that a rename of a missing file creates nothing.
        if (errnoOf(error) !== 'ENOENT' || !(await this.existsOs(fromOs))) throw error;
        await ensureDirectory(this.ops, dirname(toOs));
        await this.ops.rename(fromOs, toOs);
      }
      await after(fromOs, toOs);
    } catch (error) {
      throw mapFsError(error, operation, from);
    }
  }
}

/** Runs `action` on the reader, then closes it; a read error wins over a close error. */
async function closeAfter<T>(reader: FileReader, action: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await action();
  } catch (error) {
    await reader.close().catch(() => {});
    throw error;
  }
  await reader.close();
  return result;
}
