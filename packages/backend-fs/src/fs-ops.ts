import { constants, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { link, lstat, mkdir, open, readdir, realpath, rename, rm, stat, unlink } from 'node:fs/promises';

/**
 * The test seam: every file-system call `FsDirectory` makes goes through one `FsOps` object, and every
 * call on an open file goes through the `FsFileHandle` it returned. `nodeFsOps` is the real thing; tests
 * and fault injection pass their own via `new FsDirectory(root, { ops })` (see `interceptFsOps`).
 *
 * Paths here are absolute operating-system paths. Errors are whatever the implementation throws; a
 * fault injector should throw errors shaped like Node's (`code: 'EIO'`, `syscall: 'fsync'`) so that
 * `FsDirectory` maps them to the same typed errors as real failures.
 */
export interface FsOps {
  /** `flags` is one of Node's strings: `'r'`, `'r+'`, `'w'`, `'a'`, `'wx'`. */
  open(path: string, flags: string): Promise<FsFileHandle>;
  /**
   * `mkdir -p`: creates `path` and its missing ancestors; an existing directory is not an error.
   * Resolves to the first directory it created, or `undefined` when none was missing (as Node's does).
   */
  mkdir(path: string): Promise<string | undefined>;
  /** rename(2): replaces `to` atomically. */
  rename(from: string, to: string): Promise<void>;
  /** link(2): fails with EEXIST when `newPath` exists, so it is an atomic exclusive publish. */
  link(existingPath: string, newPath: string): Promise<void>;
  unlink(path: string): Promise<void>;
  /** `rm -rf`: recursive, and a missing path is not an error. Does not follow symbolic links. */
  rm(path: string): Promise<void>;
  /** Names of the direct children, in any order. */
  readdir(path: string): Promise<string[]>;
  /** Follows symbolic links. */
  stat(path: string): Promise<FsStat>;
  /** Does not follow a final symbolic link. */
  lstat(path: string): Promise<FsStat>;
  /** The canonical absolute path, with every symbolic link resolved; ENOENT when it does not resolve. */
  realpath(path: string): Promise<string>;
}

/** One open file (or, for `sync` of a directory, one open directory). */
export interface FsFileHandle {
  /** Writes up to `length` bytes of `buffer` from `offset`; `position: null` writes at the file offset. */
  write(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<number>;
  /** Reads up to `length` bytes into `buffer` at `offset`, from `position`; 0 means end of file. */
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number>;
  stat(): Promise<FsStat>;
  truncate(length: number): Promise<void>;
  /** fdatasync(2). */
  datasync(): Promise<void>;
  /** fsync(2). */
  sync(): Promise<void>;
  close(): Promise<void>;
  /**
   * Optional: a second descriptor of the same open file, write-only, opened `O_DSYNC`: each write on it
   * returns only once its bytes, and the size needed to read them back, are on stable storage. Rejects
   * where the platform cannot reopen a descriptor (the writer then uses write + fdatasync).
   */
  openDataSync?(): Promise<FsFileHandle>;
}

/** What `FsDirectory` needs from a stat result. */
export interface FsStat {
  readonly size: number;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly isSymbolicLink: boolean;
}

/** The one conversion from Node's `Stats`, shared by `nodeFsOps` and `blockingFsOps`. */
export function toFsStat(stats: Stats): FsStat {
  return {
    size: stats.size,
    isFile: stats.isFile(),
    isDirectory: stats.isDirectory(),
    isSymbolicLink: stats.isSymbolicLink(),
  };
}

/**
 * The path that reopens descriptor `fd` (Linux's `/proc/self/fd/N`: the same inode, whatever has happened
 * to the file's name since), and the flags of the `O_DSYNC` descriptor. Throws `ENOTSUP` elsewhere.
 */
export function dataSyncReopen(fd: number): { path: string; flags: number } {
  if (process.platform !== 'linux' || constants.O_DSYNC === undefined) {
    throw Object.assign(new Error('reopening a descriptor O_DSYNC needs Linux'), {
      code: 'ENOTSUP',
      syscall: 'open',
    });
  }
  return { path: `/proc/self/fd/${fd}`, flags: constants.O_WRONLY | constants.O_DSYNC };
}

class NodeFileHandle implements FsFileHandle {
  constructor(private readonly handle: FileHandle) {}

  async write(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<number> {
    return (await this.handle.write(buffer, offset, length, position)).bytesWritten;
  }

  async read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    return (await this.handle.read(buffer, offset, length, position)).bytesRead;
  }

  async stat(): Promise<FsStat> {
    return toFsStat(await this.handle.stat());
  }

  truncate(length: number): Promise<void> {
    return this.handle.truncate(length);
  }

  datasync(): Promise<void> {
    return this.handle.datasync();
  }

  sync(): Promise<void> {
    return this.handle.sync();
  }

  close(): Promise<void> {
    return this.handle.close();
  }

  async openDataSync(): Promise<FsFileHandle> {
    const { path, flags } = dataSyncReopen(this.handle.fd);
    return new NodeFileHandle(await open(path, flags));
  }
}

/**
 * The default `FsOps`: `node:fs/promises`. Every call runs on libuv's thread pool, so the event loop keeps
 * running while a write or an fsync is in flight. See `blockingFsOps` for the synchronous alternative.
 */
export const nodeFsOps: FsOps = Object.freeze({
  async open(path: string, flags: string): Promise<FsFileHandle> {
    return new NodeFileHandle(await open(path, flags));
  },
  mkdir: (path: string) => mkdir(path, { recursive: true }),
  rename: (from: string, to: string) => rename(from, to),
  link: (existingPath: string, newPath: string) => link(existingPath, newPath),
  unlink: (path: string) => unlink(path),
  rm: (path: string) => rm(path, { recursive: true, force: true }),
  readdir: (path: string) => readdir(path),
  stat: async (path: string) => toFsStat(await stat(path)),
  lstat: async (path: string) => toFsStat(await lstat(path)),
  realpath: (path: string) => realpath(path),
});
