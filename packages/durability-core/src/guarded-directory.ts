import type {
  Directory,
  DirectoryCapabilities,
  DurableDirectory,
  FileReader,
  FileWriter,
} from './directory.js';
import { isDurableDirectory, writeAndSync } from './directory.js';
import { DurabilityError, InvalidStateError, IoError, NotSupportedError } from './errors.js';
import { assertSafePath } from './paths.js';

const GUARDED: unique symbol = Symbol.for('@durability/core/guarded-directory') as never;

/**
 * Core's single entry to a backend. Every core component wraps the directory it is given with
 * `guardDirectory` once; the wrapper
 * - validates every path (`assertSafePath`) and numeric argument before the backend sees it;
 * - turns a call the capabilities rule out into `NotSupportedError` (durable operations without
 *   `durableSync`; `filePath` without `filePaths` answers `undefined`);
 * - maps anything a backend throws that is not a `DurabilityError` into an `IoError` carrying the path
 *   and the original as `cause` (a `TypeError`/`RangeError` is a programmer error and passes unchanged);
 * - refuses overlapping calls on one writer, and calls after `close`, with `InvalidStateError`;
 * - reports every failure of a Promise-returning method as a rejection, never as a synchronous throw.
 * Guarding a guarded directory returns it unchanged, and guarding the same backend twice returns the same
 * wrapper.
 */
export function guardDirectory(dir: Directory): DurableDirectory {
  if ((dir as { [GUARDED]?: true })[GUARDED]) return dir as DurableDirectory;
  let guarded = guards.get(dir);
  if (guarded === undefined) {
    guarded = new GuardedDirectory(dir);
    guards.set(dir, guarded);
  }
  return guarded;
}

/** One wrapper per backend object, so a backend keeps a single identity inside core (e.g. for locks). */
const guards = new WeakMap<Directory, DurableDirectory>();

class GuardedDirectory implements DurableDirectory {
  readonly [GUARDED] = true as const;
  readonly capabilities: DirectoryCapabilities;

  constructor(private readonly inner: Directory) {
    this.capabilities = Object.freeze({ ...inner.capabilities });
  }

  async createFile(path: string): Promise<FileWriter> {
    assertSafePath(path);
    return new GuardedWriter(await call('createFile', path, () => this.inner.createFile(path)));
  }

  async appendFile(path: string): Promise<FileWriter> {
    assertSafePath(path);
    return new GuardedWriter(await call('appendFile', path, () => this.inner.appendFile(path)));
  }

  async createExclusive(path: string, bytes: Uint8Array): Promise<void> {
    assertSafePath(path);
    assertBytes(bytes);
    return call('createExclusive', path, () => this.inner.createExclusive(path, bytes));
  }

  async readFile(path: string): Promise<Uint8Array> {
    assertSafePath(path);
    return call('readFile', path, () => this.inner.readFile(path));
  }

  async read(path: string, offset: number, length: number): Promise<Uint8Array> {
    assertSafePath(path);
    assertByteCount('offset', offset);
    assertByteCount('length', length);
    return call('read', path, () => this.inner.read(path, offset, length));
  }

  async openReader(path: string): Promise<FileReader> {
    assertSafePath(path);
    return new GuardedReader(await call('openReader', path, () => this.inner.openReader(path)));
  }

  async size(path: string): Promise<number> {
    assertSafePath(path);
    return call('size', path, () => this.inner.size(path));
  }

  async exists(path: string): Promise<boolean> {
    assertSafePath(path, { allowRoot: true });
    return call('exists', path, () => this.inner.exists(path));
  }

  async delete(path: string): Promise<void> {
    assertSafePath(path);
    return call('delete', path, () => this.inner.delete(path));
  }

  async list(dir: string): Promise<string[]> {
    assertSafePath(dir, { allowRoot: true });
    return call('list', dir, () => this.inner.list(dir));
  }

  async mkdirp(dir: string): Promise<void> {
    assertSafePath(dir, { allowRoot: true });
    return call('mkdirp', dir, () => this.inner.mkdirp(dir));
  }

  async truncate(path: string, length: number): Promise<void> {
    assertSafePath(path);
    assertByteCount('length', length);
    return call('truncate', path, () => this.inner.truncate(path, length));
  }

  async rename(from: string, to: string): Promise<void> {
    assertSafePath(from);
    assertSafePath(to);
    return call('rename', from, () => this.inner.rename(from, to));
  }

  async atomicWrite(path: string, bytes: Uint8Array): Promise<void> {
    assertSafePath(path);
    assertBytes(bytes);
    return call('atomicWrite', path, () => this.inner.atomicWrite(path, bytes));
  }

  filePath(path: string): string | undefined {
    assertSafePath(path, { allowRoot: true });
    return this.capabilities.filePaths ? this.inner.filePath(path) : undefined;
  }

  async syncFile(path: string): Promise<void> {
    assertSafePath(path);
    return call('syncFile', path, () => this.durable('syncFile', path).syncFile(path));
  }

  async syncParentDir(path: string): Promise<void> {
    assertSafePath(path);
    return call('syncParentDir', path, () => this.durable('syncParentDir', path).syncParentDir(path));
  }

  async atomicWriteDurable(path: string, bytes: Uint8Array): Promise<void> {
    assertSafePath(path);
    assertBytes(bytes);
    return call('atomicWriteDurable', path, () =>
      this.durable('atomicWriteDurable', path).atomicWriteDurable(path, bytes),
    );
  }

  async atomicRenameDurable(from: string, to: string): Promise<void> {
    assertSafePath(from);
    assertSafePath(to);
    return call('atomicRenameDurable', from, () =>
      this.durable('atomicRenameDurable', from).atomicRenameDurable(from, to),
    );
  }

  private durable(operation: string, path: string): DurableDirectory {
    if (!isDurableDirectory(this.inner)) {
      throw new NotSupportedError(`${operation} needs a backend that promises stable storage (durableSync)`, {
        path,
      });
    }
    return this.inner;
  }
}

/** Serialises and checks calls on one backend writer. */
class GuardedWriter implements FileWriter {
  private busy = false;
  private closed = false;

  constructor(private readonly inner: FileWriter) {}

  get path(): string {
    return this.inner.path;
  }

  get length(): number {
    return this.inner.length;
  }

  async write(bytes: Uint8Array): Promise<void> {
    assertBytes(bytes);
    return this.run('write', () => this.inner.write(bytes));
  }

  flush(): Promise<void> {
    return this.run('flush', () => this.inner.flush());
  }

  sync(): Promise<void> {
    return this.run('sync', () => this.inner.sync());
  }

  async writeAndSync(bytes: Uint8Array): Promise<void> {
    assertBytes(bytes);
    return this.run('writeAndSync', () => writeAndSync(this.inner, bytes));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.run('close', () => this.inner.close());
    this.closed = true;
  }

  private async run(operation: string, action: () => Promise<void>): Promise<void> {
    if (this.closed) throw new InvalidStateError(`${operation} on a closed writer`, { path: this.path });
    if (this.busy) {
      throw new InvalidStateError(`${operation} overlaps another call on the same writer`, {
        path: this.path,
      });
    }
    this.busy = true;
    try {
      await call(operation, this.path, action);
    } finally {
      this.busy = false;
    }
  }
}

class GuardedReader implements FileReader {
  private closed = false;

  constructor(private readonly inner: FileReader) {}

  get path(): string {
    return this.inner.path;
  }

  get length(): number {
    return this.inner.length;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    assertByteCount('offset', offset);
    assertByteCount('length', length);
    if (this.closed) throw new InvalidStateError('read on a closed reader', { path: this.path });
    return call('read', this.path, () => this.inner.read(offset, length));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await call('close', this.path, () => this.inner.close());
  }
}

/** Runs a backend call and maps what it throws (see `toDurabilityError`). */
async function call<T>(operation: string, path: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    throw toDurabilityError(error, operation, path);
  }
}

/**
 * A `DurabilityError`, `TypeError` or `RangeError` passes unchanged; anything else becomes an `IoError`
 * naming the operation and path, with the original as `cause` and its `code` (an errno) as `errno`.
 */
export function toDurabilityError(error: unknown, operation: string, path: string): Error {
  if (DurabilityError.is(error) || error instanceof TypeError || error instanceof RangeError) return error;
  const native = error as { code?: unknown; syscall?: unknown };
  const errno = typeof native?.code === 'string' ? native.code : undefined;
  const syscall = typeof native?.syscall === 'string' ? native.syscall : undefined;
  const reason = error instanceof Error ? error.message : String(error);
  return new IoError(`${operation} failed: ${reason}`, { path, errno, syscall, cause: error });
}

function assertBytes(bytes: unknown): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
}

function assertByteCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${value}`);
  }
}
