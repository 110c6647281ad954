import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsDirectory } from '@durability/backend-fs';
import { MemoryDirectory } from '@durability/backend-memory';
import type { Directory, FileReader } from '../../src/index.js';

/** One backend the record-log tests run on. `describe.each(backends)` shares every case between them. */
export interface BackendCase {
  name: string;
  /** A fresh, empty directory. */
  create(): Promise<Directory>;
  /** Whether it promises stable storage (`capabilities.durableSync`). */
  durable: boolean;
}

const tempRoots: string[] = [];

export const backends: BackendCase[] = [
  { name: 'memory', durable: false, create: async () => new MemoryDirectory() },
  {
    name: 'fs',
    durable: true,
    create: async () => {
      const root = await mkdtemp(join(tmpdir(), 'durability-core-test-'));
      tempRoots.push(root);
      return new FsDirectory(root);
    },
  },
];

/** Removes every temporary root made so far; call from `afterAll`. */
export async function removeTempRoots(): Promise<void> {
  await Promise.all(tempRoots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
}

/** Replaces the file's content with exactly `bytes` (bypassing the record log, to stage damage). */
export async function writeRaw(dir: Directory, path: string, bytes: Uint8Array): Promise<void> {
  const writer = await dir.createFile(path);
  await writer.write(bytes);
  await writer.close();
}

/** Wraps `dir` so that every reader `openReader` returns is `wrap(reader)`; every other call goes through. */
export function wrapReaders(dir: Directory, wrap: (inner: FileReader) => FileReader): Directory {
  return new Proxy(dir, {
    get(target, key, receiver) {
      if (key === 'openReader') return async (path: string) => wrap(await target.openReader(path));
      const value = Reflect.get(target, key, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Wraps `dir` so that every ranged read through `openReader` is recorded: tests use it to prove that
 * memory stays bounded (no read, so no allocation, sized by a length field before the caps are checked).
 */
export function recordingReads(dir: Directory): { dir: Directory; readLengths: number[] } {
  const readLengths: number[] = [];
  return { dir: wrapReaders(dir, (inner) => recordingReader(inner, readLengths)), readLengths };
}

/** `inner`, pushing the length of every ranged read it is asked for onto `readLengths`. */
export function recordingReader(inner: FileReader, readLengths: number[]): FileReader {
  return {
    path: inner.path,
    length: inner.length,
    read: (offset, length) => {
      readLengths.push(length);
      return inner.read(offset, length);
    },
    close: () => inner.close(),
  };
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

export function concatBytes(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
