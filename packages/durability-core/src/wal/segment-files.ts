import type { DurableDirectory, FileWriter } from '../directory.js';
import { CorruptionError, LockedError } from '../errors.js';
import { parseSegmentFileName, segmentPath } from './segment-name.js';
import { encodeSegmentHeader, SEGMENT_HEADER_BYTES, WAL_DIR } from './wal-format.js';
import type { WalScan } from './wal-scan.js';

/**
 * The writer side of a segment file's life: create, seal, repair on resume.
 *
 * Ordering invariants (they make "damage only at the end of the final segment" hold after any crash):
 * 1. A segment is synced in full (`FileWriter.sync`) before the next segment is created.
 * 2. A new segment's header is synced, and on durable backends its directory entry too
 *    (`syncParentDir`), before any frame is written to it. So the last entry id stays discoverable from
 *    the final segment's header even after every earlier segment was deleted.
 * 3. `resume` syncs the final segment it continues (and its directory entry where durable) before it
 *    returns: everything it kept is durable, repairs included.
 * On a backend without `durableSync` the `DurableDirectory` methods are never called.
 */

/** Where the writer continues after open: the open final segment and the ids around it. */
export interface OpenTail {
  writer: FileWriter;
  segmentId: number;
  startEntryId: number;
  /** Bytes in the segment (header and valid frames). */
  bytes: number;
  frames: number;
  nextEntryId: number;
}

/** Creates `wal/`; on durable backends also makes its entry in the root durable. */
export async function ensureWalDir(dir: DurableDirectory): Promise<void> {
  await dir.mkdirp(WAL_DIR);
  if (dir.capabilities.durableSync) await dir.syncParentDir(WAL_DIR);
}

/** Creates segment `segmentId` holding only its header, made durable before this resolves. */
export async function createSegment(
  dir: DurableDirectory,
  segmentId: number,
  startEntryId: number,
): Promise<FileWriter> {
  const path = segmentPath(segmentId);
  const writer = await dir.createFile(path);
  await writeHeaderDurably(dir, writer, segmentId, startEntryId);
  return writer;
}

/** Creates segment 1 of a new WAL (in an existing `wal/`), durable before this resolves. */
export async function createFirstSegment(dir: DurableDirectory): Promise<OpenTail> {
  const writer = await createSegment(dir, 1, 1);
  return { writer, segmentId: 1, startEntryId: 1, bytes: SEGMENT_HEADER_BYTES, frames: 0, nextEntryId: 1 };
}

/** Syncs a full segment and closes it (invariant 1). */
export async function sealSegment(writer: FileWriter): Promise<void> {
  await writer.sync();
  await writer.close();
}

/**
 * Opens the final segment found by a best-effort scan for appending, first repairing what a crash left:
 * a torn or zero-filled tail is cut back to the last valid frame with `truncate`, a torn header is reset
 * to a fresh one. Either way the segment is then synced (invariant 3). An empty WAL gets segment 1.
 */
export async function openTail(dir: DurableDirectory, scan: WalScan): Promise<OpenTail> {
  const final = scan.segments.at(-1);
  if (!final) return createFirstSegment(dir);
  const { path, segmentId } = final;
  if (final.stop === 'torn-segment-header') {
    const start = scan.report.nextEntryId;
    if (start === undefined) {
      throw new CorruptionError('the only segment has a torn header: its first entry id cannot be known', {
        path,
        segmentId,
        offset: 0,
      });
    }
    await dir.truncate(path, 0);
    const writer = await openScannedTail(dir, path, segmentId, 0);
    await writeHeaderDurably(dir, writer, segmentId, start);
    return {
      writer,
      segmentId,
      startEntryId: start,
      bytes: SEGMENT_HEADER_BYTES,
      frames: 0,
      nextEntryId: start,
    };
  }
  if (final.stop !== 'clean-end') await dir.truncate(path, final.validBytes);
  const writer = await openScannedTail(dir, path, segmentId, final.validBytes);
  await syncDurably(dir, writer);
  return {
    writer,
    segmentId,
    startEntryId: final.startEntryId!,
    bytes: final.validBytes,
    frames: final.entries,
    nextEntryId: scan.report.nextEntryId!,
  };
}

/**
 * Opens the final segment for appending and checks that it is still what the scan saw: `expectedBytes`
 * long, and still the last segment. Otherwise another writer appended or rotated between the scan and
 * the open (a forced lock takeover while the old owner still runs): continuing would interleave two
 * writers' frames, so this writer refuses with `LockedError`. On an object store `appendFile` has
 * already claimed the next part slot, which fences that other writer from here on.
 */
async function openScannedTail(
  dir: DurableDirectory,
  path: string,
  segmentId: number,
  expectedBytes: number,
): Promise<FileWriter> {
  const writer = await dir.appendFile(path);
  let later: number | undefined;
  try {
    if (writer.length === expectedBytes) {
      const names = await dir.list(WAL_DIR);
      later = names.map(parseSegmentFileName).find((id) => id !== undefined && id > segmentId);
      if (later === undefined) return writer;
    }
  } catch (error) {
    await writer.close().catch(() => undefined);
    throw error;
  }
  await writer.close().catch(() => undefined);
  throw new LockedError('another writer changed the WAL while this writer was opening it', {
    path,
    segmentId,
    expected: later === undefined ? expectedBytes : `no segment after ${segmentId}`,
    actual: later === undefined ? writer.length : `segment ${later}`,
  });
}

/**
 * Syncs the file (which also persists a `truncate`) and, where durable, its directory entry. `resume`
 * does this for the final segment: what a crashed writer left may still be only in the OS cache, and the
 * entries a replay just returned must not vanish after a later power loss.
 */
async function syncDurably(dir: DurableDirectory, writer: FileWriter): Promise<void> {
  try {
    await writer.sync();
    if (dir.capabilities.durableSync) await dir.syncParentDir(writer.path);
  } catch (error) {
    await writer.close().catch(() => undefined);
    throw error;
  }
}

async function writeHeaderDurably(
  dir: DurableDirectory,
  writer: FileWriter,
  segmentId: number,
  startEntryId: number,
): Promise<void> {
  try {
    await writer.write(encodeSegmentHeader({ segmentId, startEntryId }));
  } catch (error) {
    await writer.close().catch(() => undefined);
    throw error;
  }
  await syncDurably(dir, writer);
}
