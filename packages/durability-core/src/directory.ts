/**
 * The storage contract every backend implements. Paths are relative and `/`-separated (see
 * `assertSafePath`); a backend rejects an unsafe path with `InvalidPathError` before touching storage.
 * All operations are asynchronous. Failures are `DurabilityError`s: `NotFoundError` for a missing file,
 * `IoError` for failed I/O, `NotSupportedError` for a call the backend cannot honour.
 *
 * Core never asks which backend it is talking to: it reads `capabilities` and chooses its strategy.
 *
 * Every operation reports failure by rejecting its promise, never by throwing synchronously, and a
 * backend's `capabilities` are the same for every instance it creates.
 *
 * Directories are created implicitly: an operation that creates a file (`createFile`, `appendFile`,
 * `createExclusive`, `atomicWrite`, and `rename` for its target) creates its missing parents, and
 * deleting a file leaves its parent in place. On a
 * backend with `durableSync`, a directory an operation created is durable when the operation resolves
 * (its entry in its own parent is synced), so `syncParentDir(path)` alone makes a new file in a new
 * directory durable.
 */

/** Promises a backend makes. The conformance suite checks each one, in both directions. */
export interface DirectoryCapabilities {
  /**
   * `FileWriter.sync()` and the `DurableDirectory` operations put data and directory entries on stable
   * storage (they survive power loss). When false, the `DurableDirectory` operations reject with
   * `NotSupportedError`, and `FileWriter.sync()` is only an ordering barrier within the backend's own
   * crash model (memory: nothing outlives the process anyway).
   */
  readonly durableSync: boolean;
  /** `rename` replaces the target atomically: readers (and a crash) see the old target or the new one. */
  readonly atomicRename: boolean;
  /** `appendFile` extends the file in place; false when appends are emulated (e.g. numbered part objects). */
  readonly nativeAppend: boolean;
  /** `filePath` returns an operating-system path. */
  readonly filePaths: boolean;
  /** `createExclusive` excludes other processes too, not only other callers in this process. */
  readonly crossProcessLock: boolean;
}

/**
 * Sequential writer of one file. Calls on one writer must not overlap (await each); core never overlaps
 * them. The caller may reuse a buffer passed to `write` once the returned promise settles.
 */
export interface FileWriter {
  /** The directory-relative path this writer writes. */
  readonly path: string;
  /** The file's length as this writer sees it: its length when opened plus every byte written since. */
  readonly length: number;
  /** Appends `bytes` at `length`. Not yet visible to readers until `flush` (backends may show it earlier). */
  write(bytes: Uint8Array): Promise<void>;
  /**
   * Visibility boundary: once it resolves, readers in this process see every byte written, and on a
   * file-system backend the bytes belong to the OS (they survive a crash of this process, not power loss).
   */
  flush(): Promise<void>;
  /**
   * Stable-storage barrier for the file's data: flushes, then, when `capabilities.durableSync`, makes
   * every byte written so far survive power loss. It does not make a new file's directory entry durable:
   * that is `DurableDirectory.syncParentDir`.
   */
  sync(): Promise<void>;
  /**
   * Optional: `write(bytes)` then `sync()` as one call, for a backend that can do both in one step (the
   * fs backend: one write through an `O_DSYNC` descriptor, one thread-pool round trip instead of two).
   * Same outcome as the pair, in success and in failure: once it resolves every byte written so far,
   * these included, is as durable as `sync` makes it; a crash before it resolves may keep any prefix of
   * `bytes`. Core calls it through `writeAndSync(writer, bytes)`, which falls back to the pair.
   */
  writeAndSync?(bytes: Uint8Array): Promise<void>;
  /**
   * Flushes and releases the writer. Idempotent. Later `write`/`flush`/`sync`/`writeAndSync` calls reject
   * with `InvalidStateError`.
   */
  close(): Promise<void>;
}

/** `writer.write(bytes)` then `writer.sync()`, in one call when the writer offers `writeAndSync`. */
export async function writeAndSync(writer: FileWriter, bytes: Uint8Array): Promise<void> {
  if (writer.writeAndSync) return writer.writeAndSync(bytes);
  await writer.write(bytes);
  await writer.sync();
}

/** Random-access reader of one file, for streaming reads larger than memory. */
export interface FileReader {
  /** The directory-relative path this reader reads. */
  readonly path: string;
  /** The file's length when the reader was opened. */
  readonly length: number;
  /**
   * Reads up to `length` bytes at `offset`, never past the reader's `length` (bytes appended after the
   * reader was opened are not returned). The result is shorter only at that end, and empty at or past
   * it. The returned bytes belong to the caller.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Releases the reader. Idempotent. Later `read` calls reject with `InvalidStateError`. */
  close(): Promise<void>;
}

export interface Directory {
  readonly capabilities: DirectoryCapabilities;

  /** Creates the file, or truncates it to empty, and opens a writer at offset 0. Creates missing parents. */
  createFile(path: string): Promise<FileWriter>;
  /** Opens a writer positioned at the end of the file, creating it (and missing parents) if needed. */
  appendFile(path: string): Promise<FileWriter>;
  /**
   * Creates the file with exactly `bytes` if no file exists at `path`; rejects with `AlreadyExistsError`
   * otherwise. Atomic: no other `createExclusive` of the same path can also succeed, and a reader never
   * sees the file without its full content. Excludes other processes when `crossProcessLock`. The new
   * entry is durable only after `DurableDirectory.syncParentDir`.
   */
  createExclusive(path: string, bytes: Uint8Array): Promise<void>;

  /** The whole file. */
  readFile(path: string): Promise<Uint8Array>;
  /** Up to `length` bytes at `offset` (shorter only at the end of the file). */
  read(path: string, offset: number, length: number): Promise<Uint8Array>;
  /** Opens a reader for ranged reads of one file. */
  openReader(path: string): Promise<FileReader>;
  /** The file's length in bytes. */
  size(path: string): Promise<number>;

  /** True when a file or directory exists at `path` (`''` is the root, which always exists). */
  exists(path: string): Promise<boolean>;
  /** Removes a file, or a directory and everything under it. Removing what does not exist succeeds. */
  delete(path: string): Promise<void>;
  /**
   * Names (not paths) of the direct children of `dir`, files and directories, sorted by code unit
   * (`Array.prototype.sort` order). A path that is not a directory (missing, or a file) lists as empty:
   * object stores cannot tell these apart. `''` is the root.
   */
  list(dir: string): Promise<string[]>;
  /** Creates `dir` and its missing ancestors. A file in the way is an `IoError` (its errno varies by backend). */
  mkdirp(dir: string): Promise<void>;
  /**
   * Shrinks the file to `length` bytes (used by WAL repair). `length` greater than the file's size is a
   * `RangeError`. Not durable by itself: follow with `DurableDirectory.syncFile`.
   */
  truncate(path: string, length: number): Promise<void>;
  /**
   * Moves `from` to `to`, replacing `to` and creating its missing parents. Atomic only when
   * `capabilities.atomicRename`. What happens to writers and readers open on `from` is unspecified: core
   * never renames, truncates or deletes a file it holds open.
   */
  rename(from: string, to: string): Promise<void>;
  /**
   * Replaces the file's content with `bytes` so that readers, and recovery after a crash, see the old
   * content or the new, never a mix (and never an empty or partial file).
   */
  atomicWrite(path: string, bytes: Uint8Array): Promise<void>;
  /** The operating-system path of `path`, or `undefined` when the backend has none (`filePaths: false`). */
  filePath(path: string): string | undefined;
}

/**
 * A directory that can promise stable storage. A backend that cannot (memory) still has these methods
 * but rejects with `NotSupportedError`, and says `durableSync: false`.
 */
export interface DurableDirectory extends Directory {
  /** Makes the file's data durable (fsync/fdatasync of the file). */
  syncFile(path: string): Promise<void>;
  /** Makes the entry of `path` in its parent directory durable (fsync of the parent directory). */
  syncParentDir(path: string): Promise<void>;
  /** Temp write → sync temp → rename → sync parent: the new content is durable and atomic. */
  atomicWriteDurable(path: string, bytes: Uint8Array): Promise<void>;
  /** Rename, then sync the parents of both paths (once when they are the same directory). */
  atomicRenameDurable(from: string, to: string): Promise<void>;
}

/** True when `dir` implements the durable operations and promises stable storage. */
export function isDurableDirectory(dir: Directory): dir is DurableDirectory {
  const durable = dir as Partial<DurableDirectory>;
  return (
    dir.capabilities.durableSync &&
    typeof durable.syncFile === 'function' &&
    typeof durable.syncParentDir === 'function' &&
    typeof durable.atomicWriteDurable === 'function' &&
    typeof durable.atomicRenameDurable === 'function'
  );
}
