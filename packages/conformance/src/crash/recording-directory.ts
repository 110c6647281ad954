import {
  type Directory,
  type DirectoryCapabilities,
  type DurableDirectory,
  type FileReader,
  type FileWriter,
  parentPath,
} from '@durability/core';
import type { Acknowledgement, ExactWindow, MicroOp } from './micro-ops.js';

/** Thrown by every call of a `RecordingDirectory` once its crash trap has fired: the process is "dead". */
export class CrashSignal extends Error {
  constructor() {
    super('simulated crash: this process no longer exists');
    this.name = 'CrashSignal';
  }
}

/**
 * Where a recording run stops: after `at` micro-operations completed (`inflight: false`), or with the
 * call that would make the `at`-th one started and given one turn of the event loop (`inflight: true`:
 * a crash while the backend is inside a call).
 */
export interface CrashTrap {
  readonly at: number;
  readonly inflight: boolean;
}

/** Everything a workload did to storage, in order, and what it promised along the way. */
export class Recording {
  readonly ops: MicroOp[] = [];
  readonly acks: Acknowledgement[] = [];
  readonly windows: ExactWindow[] = [];
  /** The trap fired: every later call rejects with `CrashSignal`. */
  crashed = false;
  /** Backend calls still running when an in-flight crash fired. */
  readonly ghosts: Promise<unknown>[] = [];

  constructor(
    /** Files present (and durable) before the first micro-operation. */
    readonly initialFiles: ReadonlyMap<string, Uint8Array> = new Map(),
    readonly trap?: CrashTrap,
  ) {}

  /** Records that entry ids ≤ `entryId` are promised at `level` from now on. */
  acknowledge(level: Acknowledgement['level'], entryId: number): void {
    if (this.crashed) return;
    this.acks.push({ afterOps: this.ops.length, level, entryId });
  }

  /** Opens a window of crash points where recovery must return exactly `entries` entries. */
  openWindow(entries: number, what: string): void {
    if (this.crashed) return;
    this.windows.push({ fromOps: this.ops.length, toOps: Number.POSITIVE_INFINITY, entries, what });
  }

  closeWindow(): void {
    if (this.crashed) return;
    const open = this.windows.at(-1);
    if (open && open.toOps === Number.POSITIVE_INFINITY) open.toOps = this.ops.length;
  }

  /** Waits for backend calls an in-flight crash left running. */
  async settled(): Promise<void> {
    await Promise.all(this.ghosts);
  }
}

const nextTurn = (): Promise<void> =>
  new Promise((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );

/**
 * Forwards every call to `inner` and records each completed mutating call as micro-operations
 * (micro-ops.ts). A call that fails records nothing. With a `CrashTrap` it plays a process that dies at
 * that point: the trapped call and every later one reject with `CrashSignal`.
 */
export class RecordingDirectory implements DurableDirectory {
  readonly capabilities: DirectoryCapabilities;

  constructor(
    private readonly inner: Directory,
    readonly recording: Recording,
  ) {
    this.capabilities = inner.capabilities;
  }

  private get durable(): DurableDirectory {
    return this.inner as DurableDirectory;
  }

  async createFile(path: string): Promise<FileWriter> {
    return this.wrap(await this.step([{ op: 'create', path }], () => this.inner.createFile(path)));
  }

  async appendFile(path: string): Promise<FileWriter> {
    return this.wrap(await this.step([{ op: 'open', path }], () => this.inner.appendFile(path)));
  }

  createExclusive(path: string, bytes: Uint8Array): Promise<void> {
    return this.step([{ op: 'replace', path, bytes: bytes.slice() }], () =>
      this.inner.createExclusive(path, bytes),
    );
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.observe(() => this.inner.readFile(path));
  }

  read(path: string, offset: number, length: number): Promise<Uint8Array> {
    return this.observe(() => this.inner.read(path, offset, length));
  }

  async openReader(path: string): Promise<FileReader> {
    const reader = await this.observe(() => this.inner.openReader(path));
    const recording = this.recording;
    return {
      path: reader.path,
      length: reader.length,
      read: async (offset, length) => {
        if (recording.crashed) throw new CrashSignal();
        return reader.read(offset, length);
      },
      close: () => reader.close(),
    };
  }

  size(path: string): Promise<number> {
    return this.observe(() => this.inner.size(path));
  }

  exists(path: string): Promise<boolean> {
    return this.observe(() => this.inner.exists(path));
  }

  delete(path: string): Promise<void> {
    return this.step([{ op: 'delete', path }], () => this.inner.delete(path));
  }

  list(dir: string): Promise<string[]> {
    return this.observe(() => this.inner.list(dir));
  }

  mkdirp(dir: string): Promise<void> {
    return this.step([{ op: 'mkdir', dir }], () => this.inner.mkdirp(dir));
  }

  truncate(path: string, length: number): Promise<void> {
    return this.step([{ op: 'truncate', path, length }], () => this.inner.truncate(path, length));
  }

  rename(from: string, to: string): Promise<void> {
    return this.step([{ op: 'rename', from, to }], () => this.inner.rename(from, to));
  }

  atomicWrite(path: string, bytes: Uint8Array): Promise<void> {
    return this.step([{ op: 'replace', path, bytes: bytes.slice() }], () =>
      this.inner.atomicWrite(path, bytes),
    );
  }

  filePath(path: string): string | undefined {
    return this.inner.filePath(path);
  }

  syncFile(path: string): Promise<void> {
    return this.step([{ op: 'fsync', path }], () => this.durable.syncFile(path));
  }

  syncParentDir(path: string): Promise<void> {
    return this.step([{ op: 'dirsync', dir: parentPath(path) }], () => this.durable.syncParentDir(path));
  }

  atomicWriteDurable(path: string, bytes: Uint8Array): Promise<void> {
    return this.step(
      [
        { op: 'replace', path, bytes: bytes.slice() },
        { op: 'dirsync', dir: parentPath(path) },
      ],
      () => this.durable.atomicWriteDurable(path, bytes),
    );
  }

  atomicRenameDurable(from: string, to: string): Promise<void> {
    const ops: MicroOp[] = [
      { op: 'rename', from, to },
      { op: 'dirsync', dir: parentPath(to) },
    ];
    if (parentPath(from) !== parentPath(to)) ops.push({ op: 'dirsync', dir: parentPath(from) });
    return this.step(ops, () => this.durable.atomicRenameDurable(from, to));
  }

  /** Runs a call that changes nothing (a dead process reads nothing either). */
  private async observe<T>(action: () => Promise<T>): Promise<T> {
    if (this.recording.crashed) throw new CrashSignal();
    return action();
  }

  /** Runs one mutating call, honouring the crash trap; records `ops` once it succeeds. */
  private async step<T>(ops: MicroOp[], action: () => Promise<T>): Promise<T> {
    const recording = this.recording;
    if (recording.crashed) throw new CrashSignal();
    const trap = recording.trap;
    if (trap && recording.ops.length + ops.length > trap.at) {
      if (trap.inflight) {
        const ghost = action();
        recording.ghosts.push(ghost.catch(() => undefined));
        await nextTurn();
      }
      recording.crashed = true;
      throw new CrashSignal();
    }
    const result = await action();
    if (recording.crashed) throw new CrashSignal();
    recording.ops.push(...ops);
    return result;
  }

  private wrap(writer: FileWriter): FileWriter {
    const path = writer.path;
    const written = (bytes: Uint8Array): MicroOp => ({ op: 'write', path, bytes: bytes.slice() });
    const synced: MicroOp[] = [
      { op: 'flush', path },
      { op: 'fsync', path },
    ];
    const wrapped: FileWriter = {
      path,
      get length() {
        return writer.length;
      },
      write: (bytes) => this.step([written(bytes)], () => writer.write(bytes)),
      flush: () => this.step([{ op: 'flush', path }], () => writer.flush()),
      sync: () => this.step(synced, () => writer.sync()),
      close: () => this.step([{ op: 'flush', path }], () => writer.close()),
    };
    const { writeAndSync } = writer;
    if (writeAndSync) {
      wrapped.writeAndSync = (bytes) =>
        this.step([written(bytes), ...synced], () => writeAndSync.call(writer, bytes));
    }
    return wrapped;
  }
}
