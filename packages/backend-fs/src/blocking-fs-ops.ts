import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import type { FsFileHandle, FsOps, FsStat } from './fs-ops.js';
import { dataSyncReopen, toFsStat } from './fs-ops.js';

/**
 * `FsOps` on Node's synchronous calls: each system call runs to completion on the calling thread, with
 * no thread-pool round trip, and blocks the event loop for its whole duration. Same system calls, same
 * order, same arguments and same Node error objects (`code`, `syscall`, `path`) as `nodeFsOps`, so
 * `FsDirectory` behaves identically and gives the same durability guarantees.
 *
 * Every method is `async`: a failing call is a rejected promise, never a synchronous throw, and the
 * promise is already settled when the method returns (the caller resumes in a microtask, without an
 * event-loop turn). Select it with `new FsDirectory(root, { io: 'blocking' })`.
 */
export const blockingFsOps: FsOps = Object.freeze({
  open: async (path: string, flags: string): Promise<FsFileHandle> =>
    new BlockingFileHandle(openSync(path, flags)),
  mkdir: async (path: string) => mkdirSync(path, { recursive: true }),
  rename: async (from: string, to: string) => renameSync(from, to),
  link: async (existingPath: string, newPath: string) => linkSync(existingPath, newPath),
  unlink: async (path: string) => unlinkSync(path),
  rm: async (path: string) => rmSync(path, { recursive: true, force: true }),
  readdir: async (path: string) => readdirSync(path),
  stat: async (path: string) => toFsStat(statSync(path)),
  lstat: async (path: string) => toFsStat(lstatSync(path)),
  // `.native` is realpath(3), as `fs/promises.realpath` is; plain `realpathSync` is a JavaScript walk
  // whose errors name other syscalls.
  realpath: async (path: string) => realpathSync.native(path),
});

/** Marks a closed handle; never a valid descriptor. */
const CLOSED = -1;

/**
 * One file descriptor. Behaves like `fs/promises`' `FileHandle` once closed: `close` again resolves and
 * does nothing, any other call rejects with `EBADF` ('file closed'). The descriptor number is dropped
 * before close(2), so it is closed at most once even when close fails (Linux releases it either way):
 * closing a raw number twice could close an unrelated file that reused it.
 */
class BlockingFileHandle implements FsFileHandle {
  constructor(private fd: number) {}

  async write(buffer: Uint8Array, offset: number, length: number, position: number | null): Promise<number> {
    return writeSync(this.open('write'), buffer, offset, length, position);
  }

  async read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<number> {
    return readSync(this.open('read'), buffer, offset, length, position);
  }

  async stat(): Promise<FsStat> {
    return toFsStat(fstatSync(this.open('fstat')));
  }

  async truncate(length: number): Promise<void> {
    ftruncateSync(this.open('ftruncate'), length);
  }

  async datasync(): Promise<void> {
    fdatasyncSync(this.open('fdatasync'));
  }

  async sync(): Promise<void> {
    fsyncSync(this.open('fsync'));
  }

  async openDataSync(): Promise<FsFileHandle> {
    const { path, flags } = dataSyncReopen(this.open('open'));
    return new BlockingFileHandle(openSync(path, flags));
  }

  async close(): Promise<void> {
    const fd = this.fd;
    if (fd === CLOSED) return;
    this.fd = CLOSED;
    closeSync(fd);
  }

  /** The descriptor, or the error `FileHandle` gives for a call after close. */
  private open(syscall: string): number {
    if (this.fd === CLOSED) throw Object.assign(new Error('file closed'), { code: 'EBADF', syscall });
    return this.fd;
  }
}
