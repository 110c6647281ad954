import type { Directory } from '../directory.js';
import { CorruptionError } from '../errors.js';
import type { ReplayMode, ReplayReport } from './replay-report.js';
import { listSegments, type SegmentFile } from './segment-name.js';
import { type FrameVisitor, type SegmentOutcome, scanSegment } from './segment-scanner.js';

/**
 * Validates a whole WAL: segment ids contiguous, each segment's `start_entry_id` continuing the ids of
 * the one before, every frame valid (segment-scanner.ts). Damage is forgiven only at the end of the
 * final segment, and only in best-effort mode. Reads one segment at a time in bounded chunks.
 */

export interface WalScanOptions {
  mode: ReplayMode;
  maxEntryBytes: number;
  readChunkBytes?: number;
  onFrame?: FrameVisitor;
}

export interface ScannedSegment extends SegmentOutcome {
  segmentId: number;
  path: string;
}

export interface WalScan {
  report: ReplayReport;
  segments: ScannedSegment[];
}

export async function scanWal(dir: Directory, options: WalScanOptions): Promise<WalScan> {
  const files = await listSegments(dir);
  assertContiguous(files);
  const segments: ScannedSegment[] = [];
  let expectedStart: number | undefined;
  let firstEntryId: number | undefined;
  let lastEntryId: number | undefined;
  let entries = 0;
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const outcome = await scanSegment(dir, file, {
      mode: options.mode,
      maxEntryBytes: options.maxEntryBytes,
      readChunkBytes: options.readChunkBytes,
      isFinal: i === files.length - 1,
      expectedStartEntryId: expectedStart,
      onFrame: options.onFrame,
    });
    segments.push({ ...file, ...outcome });
    if (outcome.entries > 0) {
      firstEntryId ??= outcome.startEntryId;
      lastEntryId = outcome.lastEntryId;
    }
    entries += outcome.entries;
    if (outcome.startEntryId !== undefined) expectedStart = outcome.startEntryId + outcome.entries;
  }
  const final = segments.at(-1);
  const report: ReplayReport = {
    mode: options.mode,
    reason: final?.stop ?? 'clean-end',
    segmentId: final?.segmentId,
    path: final?.path,
    offset: final?.validBytes ?? 0,
    bytesDropped: final ? final.bytes - final.validBytes : 0,
    segmentCount: segments.length,
    entriesReplayed: entries,
    firstEntryId,
    lastEntryId,
    nextEntryId: expectedStart ?? (final?.segmentId === 1 ? 1 : undefined),
  };
  return { report, segments };
}

/** Segment ids must be contiguous: a missing segment is lost entries, never a torn tail (row D2). */
export function assertContiguous(files: SegmentFile[]): void {
  for (let i = 1; i < files.length; i++) {
    const previous = files[i - 1]!;
    const file = files[i]!;
    if (file.segmentId !== previous.segmentId + 1) {
      throw new CorruptionError('WAL segment ids are not contiguous (a segment is missing)', {
        path: file.path,
        segmentId: file.segmentId,
        expected: previous.segmentId + 1,
        actual: file.segmentId,
      });
    }
  }
}
