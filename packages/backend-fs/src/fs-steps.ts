import { dirname } from 'node:path';
import type { FsFileHandle, FsOps } from './fs-ops.js';
import { errnoOf, fsError } from './map-fs-error.js';

/**
 * The building blocks `FsDirectory` composes, each over the `FsOps` seam. Paths are absolute OS paths
 * that `RootedPaths.resolve` has already checked. Errors are raw (Node-shaped); callers map them.
 */

/**
 * Opens `osPath`, runs `action` on the handle, and always closes it. An error from `action` wins over an
 * error from the close that follows it; a close error after a successful action is reported.
 */
export async function withHandle<T>(
  ops: FsOps,
  osPath: string,
  flags: string,
  action: (handle: FsFileHandle) => Promise<T>,
): Promise<T> {
  const handle = await ops.open(osPath, flags);
  let result: T;
  try {
    result = await action(handle);
  } catch (error) {
    await closeQuietly(handle);
    throw error;
  }
  await handle.close();
  return result;
}

/** Closes a handle on a path that has already failed; the first error is the one worth reporting. */
export async function closeQuietly(handle: FsFileHandle): Promise<void> {
  try {
    await handle.close();
  } catch {
    // The operation is already failing with its own error.
  }
}

/**
 * Writes every byte of `bytes`, looping over short writes: at `position` when given (`pwrite`; on Linux
 * an `O_APPEND` descriptor writes at the end regardless), else at the handle's file offset. `onWritten`
 * sees each chunk the kernel accepted, so a caller's length stays exact even when a later chunk fails. A
 * write that accepts nothing is an error, never an endless loop.
 */
export async function writeAll(
  handle: FsFileHandle,
  bytes: Uint8Array,
  position: number | null = null,
  onWritten: (count: number) => void = () => {},
): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    const remaining = bytes.length - offset;
    const at = position === null ? null : position + offset;
    const written = await handle.write(bytes, offset, remaining, at);
    if (!Number.isSafeInteger(written) || written <= 0 || written > remaining) {
      throw fsError('EIO', 'write', `write accepted ${written} of ${remaining} bytes`);
    }
    offset += written;
    onWritten(written);
  }
}

/**
 * Reads up to `length` bytes at `position`, looping over short reads until `length` bytes or end of
 * file. The result is a fresh buffer owned by the caller.
 */
export async function readFully(handle: FsFileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const count = await handle.read(buffer, filled, length - filled, position + filled);
    if (count <= 0) break;
    filled += count;
  }
  return filled === length ? buffer : buffer.subarray(0, filled);
}

/**
 * Creates `osPath` exclusively (`O_EXCL`), writes `bytes`, and fsyncs it before closing: once this
 * resolves, the file's content is on stable storage, so a later rename or link can publish it whole.
 * Its directory entry is not durable yet.
 */
export async function writeSyncedNewFile(ops: FsOps, osPath: string, bytes: Uint8Array): Promise<void> {
  await withHandle(ops, osPath, 'wx', async (handle) => {
    await writeAll(handle, bytes);
    await handle.sync();
  });
}

/** fsync of a directory: makes the entries it holds (creates, renames, unlinks) durable. */
export async function syncDirectory(ops: FsOps, osDir: string): Promise<void> {
  await withHandle(ops, osDir, 'r', (handle) => handle.sync());
}

/**
 * `mkdir -p osDir`, and then makes every directory it created durable by syncing the directory that
 * holds it (deepest first). Invariant: a directory this backend created never disappears in a crash
 * once the operation that needed it has returned, so `syncParentDir` on a file inside it means what it
 * says. Costs nothing when the directory already exists.
 */
export async function ensureDirectory(ops: FsOps, osDir: string): Promise<void> {
  let firstCreated: string | undefined;
  try {
    firstCreated = await ops.mkdir(osDir);
  } catch (error) {
    // `mkdir -p` reports EEXIST only when `osDir` itself is a non-directory: for the caller that is a
    // path component that is not a directory, not a file that already exists where one is created.
    if (errnoOf(error) === 'EEXIST') throw fsError('ENOTDIR', 'mkdir', `not a directory, '${osDir}'`);
    throw error;
  }
  if (firstCreated === undefined) return;
  let created = osDir;
  for (;;) {
    const parent = dirname(created);
    await syncDirectory(ops, parent);
    if (created === firstCreated || parent === created) return;
    created = parent;
  }
}

/** Removes a temporary file on a best-effort basis: cleanup must never mask the operation's own outcome. */
export async function unlinkQuietly(ops: FsOps, osPath: string): Promise<void> {
  try {
    await ops.unlink(osPath);
  } catch {
    // Missing already, or removal failed: a leftover temp is garbage, recognisable by its name.
  }
}
