import { mkdtemp, open, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsDirectory } from '@durability/backend-fs';
import {
  CheckpointPublisher,
  checkpointPathFor,
  segmentPath,
  type WalEntry,
  WalWriter,
} from '@durability/core';

/** WAL fixtures on real disk, written by the real writer. */

export async function tempRoot(): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(join(tmpdir(), 'durability-cli-'));
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** The entries `writeWal` appends: entry i (1-based) is `entryFor(i)`. */
export function entryFor(i: number): WalEntry {
  return { type: 'AddSegment', segmentId: i, docCount: i * 10 };
}

/**
 * Appends `count` entries with small segments (so the WAL has several), flushed and synced, then closes.
 * Returns the segment paths relative to root.
 */
export async function writeWal(
  root: string,
  count: number,
  options: { segmentSizeBytes?: number; entry?: (i: number) => unknown } = {},
): Promise<void> {
  const writer = await WalWriter.create(new FsDirectory(root), {
    segmentSizeBytes: options.segmentSizeBytes ?? 256,
  });
  for (let i = 1; i <= count; i++) await writer.append((options.entry ?? entryFor)(i));
  await writer.flushAndSync();
  await writer.close();
}

/** OS path of segment `id` under `root`. */
export function segmentFile(root: string, id: number): string {
  return join(root, segmentPath(id));
}

export async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}

/** Appends raw bytes to a file (a torn or garbage tail). */
export async function appendBytes(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'a');
  try {
    await handle.write(bytes);
  } finally {
    await handle.close();
  }
}

/** XORs one byte of a file. */
export async function flipByte(path: string, offset: number): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    const one = new Uint8Array(1);
    await handle.read(one, 0, 1, offset);
    one[0] = one[0]! ^ 0xff;
    await handle.write(one, 0, 1, offset);
  } finally {
    await handle.close();
  }
}

/** A WAL with a published checkpoint (and its marker) after `before` entries, then `after` more. */
export async function writeWalWithCheckpoint(root: string, before: number, after: number): Promise<string> {
  const dir = new FsDirectory(root);
  const writer = await WalWriter.create<WalEntry>(dir, { segmentSizeBytes: 256 });
  for (let i = 1; i <= before; i++) await writer.append(entryFor(i));
  await writer.flushAndSync();
  const last = writer.lastEntryId!;
  const state = { segments: [], lastEntryId: last };
  const path = checkpointPathFor(last);
  await new CheckpointPublisher(dir).publish(writer, state, last, path);
  for (let i = before + 1; i <= before + after; i++) await writer.append(entryFor(i));
  await writer.flushAndSync();
  await writer.close();
  return path;
}

/** Every file under `root` (relative path → content as hex), to prove a command changed nothing. */
export async function snapshot(root: string): Promise<Record<string, string>> {
  const { readdir, readFile } = await import('node:fs/promises');
  const out: Record<string, string> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const key = path.slice(root.length + 1);
    out[key] = entry.isFile() ? (await readFile(path)).toString('hex') : '<dir>';
  }
  return out;
}
