import { type CheckpointMarker, type StopReason, WalMaintenance } from '@durability/core';
import { type ErrorSummary, summarizeError } from '../error-summary.js';
import { isDamage } from '../exit-codes.js';
import type { OpenedDirectory } from '../open-directory.js';
import { type ProgressSink, withProgress } from '../progress.js';
import { type CheckpointListing, listCheckpoints } from '../scan/checkpoints.js';
import { type LockInfo, readLockOwner } from '../scan/lock-owner.js';
import { scanWal } from '../scan/scan-wal.js';
import { listSegmentFiles, totalBytes } from '../scan/segment-files.js';
import { type WalStatus, walStatus } from '../scan/verdict.js';

export interface InspectOptions {
  /** Decode payloads as CBOR to find checkpoint markers (default true). */
  decode?: boolean;
  progress?: ProgressSink;
}

/** One segment: its id, the entries it holds, its size. */
export interface SegmentSummary {
  segmentId: number;
  path: string;
  bytes: number;
  /** Its header's `start_entry_id`; `null` when unknown (a torn final header, or unreadable). */
  firstEntryId: number | null;
  /** Its last entry; `null` when it holds none or it could not be read. */
  lastEntryId: number | null;
  entries: number | null;
}

/** How the final segment ends (the best-effort replay report). */
export interface TailSummary {
  segmentId: number | null;
  path: string | null;
  reason: StopReason;
  /** Bytes of valid data in the final segment (where a repair would truncate to). */
  validBytes: number;
  /** Bytes after `validBytes` that replay drops. */
  bytesDropped: number;
}

/** What `durability inspect` reports (its `--json` document). */
export interface InspectResult {
  command: 'inspect';
  location: string;
  backend: string;
  /** `clean`, `torn-tail` or `corrupt` (details in `tail` / `damage`; `verify` judges, inspect only describes). */
  status: WalStatus;
  segments: SegmentSummary[];
  totalBytes: number;
  tail: TailSummary | null;
  entries: {
    count: number;
    firstEntryId: number | null;
    lastEntryId: number | null;
    /** The id the next append gets (`null` when no segment header says). */
    nextEntryId: number | null;
  };
  /** Files in `checkpoints/`, each verified. */
  checkpoints: CheckpointListing[];
  /** Checkpoint markers (`{type: 'Checkpoint'}` entries) in the WAL. */
  markers: { count: number; latest: CheckpointMarker | null };
  /** The writer lock, `null` when no writer holds it. */
  lock: LockInfo | null;
  /** Damage that stopped the scan (the WAL is described up to it). */
  damage: ErrorSummary | null;
}

/**
 * Describes a WAL: segments with their entry ranges and sizes, how the final segment ends, the
 * checkpoint files and markers, and who holds the lock. Reads only; never creates a file or the lock.
 * Damage does not make it fail: it is described in `damage` (use `verify` for a verdict).
 */
export async function inspectWal(
  target: OpenedDirectory,
  options: InspectOptions = {},
): Promise<InspectResult> {
  const { dir } = target;
  const files = await listSegmentFiles(dir);
  const total = totalBytes(files);
  const lock = (await readLockOwner(dir)) ?? null;
  const scan = await withProgress(options.progress, total, (update) =>
    scanWal(dir, { decode: options.decode ?? true, onProgress: update }),
  );

  let segments: SegmentSummary[] = files.map((file) => ({
    ...file,
    firstEntryId: null,
    lastEntryId: null,
    entries: null,
  }));
  let damage = scan.damage;
  try {
    const ranges = await new WalMaintenance(dir).segments();
    const sizes = new Map(files.map((file) => [file.segmentId, file.bytes]));
    segments = ranges.map((range) => ({
      segmentId: range.segmentId,
      path: range.path,
      bytes: sizes.get(range.segmentId) ?? range.bytes,
      firstEntryId: range.firstEntryId ?? null,
      lastEntryId: range.lastEntryId ?? null,
      entries:
        range.firstEntryId !== undefined && range.lastEntryId !== undefined
          ? range.lastEntryId - range.firstEntryId + 1
          : 0,
    }));
  } catch (error) {
    if (!isDamage(error)) throw error;
    damage ??= error;
  }

  const report = scan.report;
  return {
    command: 'inspect',
    location: target.location,
    backend: target.backend,
    status: damage === scan.damage ? walStatus(scan) : 'corrupt',
    segments,
    totalBytes: total,
    tail: report
      ? {
          segmentId: report.segmentId ?? null,
          path: report.path ?? null,
          reason: report.reason,
          validBytes: report.offset,
          bytesDropped: report.bytesDropped,
        }
      : null,
    entries: {
      count: scan.entries,
      firstEntryId: scan.firstEntryId ?? null,
      lastEntryId: scan.lastEntryId ?? null,
      // A WAL without segments starts at 1 (as recovery assumes).
      nextEntryId: report ? (report.nextEntryId ?? (report.segmentCount === 0 ? 1 : null)) : null,
    },
    checkpoints: await listCheckpoints(dir),
    markers: { count: scan.markers.length, latest: scan.markers.at(-1) ?? null },
    lock,
    damage: damage === undefined ? null : summarizeError(damage),
  };
}
