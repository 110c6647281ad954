import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsDirectory } from '@durability/backend-fs';
import { MemoryDirectory } from '@durability/backend-memory';
import { readU32, readU64 } from '../src/encoding/little-endian.js';
import { type Directory, type FileReader, type FileWriter, guardDirectory } from '../src/index.js';
import { recordingReader } from './support/backends.js';

/** One backend every shared WAL case runs on (`describe.each(walBackends)`). */
export interface WalBackend {
  name: 'memory' | 'fs';
  durable: boolean;
  /** A fresh, empty directory. */
  create(): Promise<Directory>;
  /**
   * A copy of `dir`'s current bytes as a new, independent directory: the state a crash of this process
   * leaves (every flushed byte, nothing buffered), opened by "the next process".
   */
  snapshot(dir: Directory): Promise<Directory>;
  /** Another directory object over the same storage (fs: through a symbolic link to the root). */
  alias(dir: Directory): Promise<Directory>;
}

const tempRoots: string[] = [];

async function tempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'durability-wal-test-'));
  tempRoots.push(root);
  return root;
}

export const walBackends: WalBackend[] = [
  {
    name: 'memory',
    durable: false,
    create: async () => new MemoryDirectory(),
    snapshot: async (dir) => unwrap<MemoryDirectory>(dir).clone(),
    alias: async (dir) => guardDirectory(unwrap<MemoryDirectory>(dir)),
  },
  {
    name: 'fs',
    durable: true,
    create: async () => new FsDirectory(await tempRoot()),
    snapshot: async (dir) => {
      const root = await tempRoot();
      await cp(unwrap<FsDirectory>(dir).root, root, { recursive: true });
      return new FsDirectory(root);
    },
    alias: async (dir) => {
      const link = join(await tempRoot(), 'link');
      await symlink(unwrap<FsDirectory>(dir).root, link);
      return new FsDirectory(link);
    },
  },
];

/** Removes every temporary root; call from `afterAll`. */
export async function removeWalTempRoots(): Promise<void> {
  await Promise.all(tempRoots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
}

const INNER = Symbol('inner');

function unwrap<T>(dir: Directory): T {
  return ((dir as { [INNER]?: Directory })[INNER] ?? dir) as T;
}

export interface TracedCall {
  /** `dir.<method>` or `writer.<method>`. */
  op: string;
  path: string;
}

export interface Traced {
  dir: Directory;
  calls: TracedCall[];
  /** The `length` argument of every ranged read through a reader from `openReader`. */
  readLengths: number[];
  /** Number of `writer.sync` calls so far. */
  syncs(): number;
  /** Per path, the file length covered by the latest completed `writer.sync`. */
  syncedLength: Map<string, number>;
  /** Makes every later call of `op` for which `match` holds throw `error` (once per call). */
  failWhen(op: string, error: unknown, match?: (call: TracedCall) => boolean): void;
  /** Removes every injected failure. */
  clearFailures(): void;
  /** Delays every writer call by `ms` milliseconds (so that async callers interleave as with a disk). */
  delayWriters(ms: number): void;
}

/** A proxy that records every directory and writer call, and injects failures and delays. */
export function traced(inner: Directory): Traced {
  const calls: TracedCall[] = [];
  const failures: { op: string; error: unknown; match: (call: TracedCall) => boolean }[] = [];
  const readLengths: number[] = [];
  const syncedLength = new Map<string, number>();
  let delay = 0;
  const enter = async (op: string, path: string) => {
    const call = { op, path };
    calls.push(call);
    if (delay > 0 && op.startsWith('writer.')) await new Promise((resolve) => setTimeout(resolve, delay));
    const failure = failures.find((f) => f.op === op && f.match(call));
    if (failure) throw failure.error;
  };
  const wrapWriter = (writer: FileWriter): FileWriter => ({
    get path() {
      return writer.path;
    },
    get length() {
      return writer.length;
    },
    write: async (bytes) => {
      await enter('writer.write', writer.path);
      return writer.write(bytes);
    },
    flush: async () => {
      await enter('writer.flush', writer.path);
      return writer.flush();
    },
    sync: async () => {
      await enter('writer.sync', writer.path);
      const covered = writer.length;
      await writer.sync();
      syncedLength.set(writer.path, Math.max(syncedLength.get(writer.path) ?? 0, covered));
    },
    close: async () => {
      await enter('writer.close', writer.path);
      return writer.close();
    },
  });
  const dir = new Proxy(inner, {
    get(target, key, receiver) {
      if (key === INNER) return target;
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      if (key === 'filePath') return value.bind(target);
      return async (...args: unknown[]) => {
        await enter(`dir.${key}`, String(args[0]));
        const result = await value.apply(target, args);
        if (key === 'openReader') return recordingReader(result as FileReader, readLengths);
        return key === 'createFile' || key === 'appendFile' ? wrapWriter(result as FileWriter) : result;
      };
    },
  });
  return {
    dir,
    calls,
    readLengths,
    syncs: () => calls.filter((c) => c.op === 'writer.sync').length,
    syncedLength,
    failWhen: (op, error, match = () => true) => {
      failures.push({ op, error, match });
    },
    clearFailures: () => {
      failures.length = 0;
    },
    delayWriters: (ms) => {
      delay = ms;
    },
  };
}

/** The whole file, read through the backend. */
export function readRaw(dir: Directory, path: string): Promise<Uint8Array> {
  return dir.readFile(path);
}

/** Replaces the file's content with exactly `bytes`. */
export async function writeRaw(dir: Directory, path: string, bytes: Uint8Array): Promise<void> {
  const writer = await dir.createFile(path);
  await writer.write(bytes);
  await writer.close();
}

/** Segment paths of a WAL, oldest first. */
export async function segmentPaths(dir: Directory): Promise<string[]> {
  return (await dir.list('wal')).filter((n) => /^wal_\d{20}\.log$/.test(n)).map((n) => `wal/${n}`);
}

/** Where each frame of a segment ends, by entry id (parsing trusted, writer-made bytes). */
export function frameEnds(segment: Uint8Array): Map<number, number> {
  const ends = new Map<number, number>();
  let id = readU64(segment, 16)!;
  for (let at = 28; at < segment.length; id++) {
    at += 20 + readU32(segment, at);
    ends.set(id, at);
  }
  return ends;
}

/** Throws unless `promise` rejects; returns the rejection. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}
