import type { Directory, DurableDirectory } from '../directory.js';
import { CorruptionError } from '../errors.js';
import { guardDirectory } from '../guarded-directory.js';
import { listSegments } from './segment-name.js';
import { type SegmentOutcome, scanSegment } from './segment-scanner.js';
import { MAX_WAL_ENTRY_BYTES } from './wal-format.js';
import { assertContiguous } from './wal-scan.js';

/** The entries one segment holds. */
export interface SegmentRange {
  segmentId: number;
  path: string;
  /** The header's `start_entry_id`; `undefined` when the final segment's header is torn. */
  firstEntryId: number | undefined;
  /** The last entry it holds; `undefined` when it holds none. */
  lastEntryId: number | undefined;
  /** File length in bytes. */
  bytes: number;
}

export interface TruncateResult {
  deletedSegmentIds: number[];
  deletedBytes: number;
  /** The `start_entry_id` of the first remaining segment. */
  firstRemainingEntryId: number | undefined;
}

/**
 * Space reclamation after a checkpoint (ARCHITECTURE §6, step 3). Safe to run beside a live writer on
 * the same directory: it never touches the final segment.
 *
 * Invariants of `truncatePrefix`:
 * - only whole segments whose every entry id is ≤ the given id are deleted, oldest first, so a crash
 *   midway leaves a contiguous suffix;
 * - the final segment is never deleted, and a segment is deleted only when the segment after it has a
 *   valid header, which is synced first: the last entry id stays discoverable from that header;
 * - on durable backends the deletions are made durable (`syncParentDir`) before it resolves.
 */
export class WalMaintenance {
  private readonly dir: DurableDirectory;

  constructor(dir: Directory) {
    this.dir = guardDirectory(dir);
  }

  /**
   * The segments, oldest first. Reads each header, and the final segment in full (best-effort: a torn
   * tail is not counted, and not an error here).
   */
  segments(): Promise<SegmentRange[]> {
    return segmentRanges(this.dir, { scanFinal: true });
  }

  /**
   * Deletes the oldest segments whose entries all have ids ≤ `lastEntryId` (never the final segment).
   * Call it only once a durable checkpoint covers `lastEntryId` and its marker is durable in the WAL.
   */
  async truncatePrefix(lastEntryId: number): Promise<TruncateResult> {
    if (!Number.isSafeInteger(lastEntryId) || lastEntryId < 0) {
      throw new RangeError(`lastEntryId must be a non-negative safe integer, got ${lastEntryId}`);
    }
    // The final segment is never deleted, so its frames are not read (it can be tens of MiB).
    const ranges = await segmentRanges(this.dir, { scanFinal: false });
    let keep = 0;
    while (keep < ranges.length - 1) {
      const range = ranges[keep]!;
      const next = ranges[keep + 1]!;
      if (next.firstEntryId === undefined) break;
      if ((range.lastEntryId ?? next.firstEntryId - 1) > lastEntryId) break;
      keep++;
    }
    const doomed = ranges.slice(0, keep);
    const first = ranges[keep];
    if (doomed.length === 0 || !first) {
      return { deletedSegmentIds: [], deletedBytes: 0, firstRemainingEntryId: ranges[0]?.firstEntryId };
    }
    const durable = this.dir.capabilities.durableSync;
    if (durable) await this.dir.syncFile(first.path);
    for (const range of doomed) await this.dir.delete(range.path);
    if (durable) await this.dir.syncParentDir(first.path);
    return {
      deletedSegmentIds: doomed.map((r) => r.segmentId),
      deletedBytes: doomed.reduce((sum, r) => sum + r.bytes, 0),
      firstRemainingEntryId: first.firstEntryId,
    };
  }
}

/**
 * The segments, oldest first, from their headers. A segment's last id is the next one's start id − 1 (or,
 * when the next header is torn, a full scan). The final segment's frames are read only with `scanFinal`;
 * without it its `lastEntryId` is `undefined`. Shared by `WalMaintenance` and the checkpoint publisher,
 * which needs only the first remaining id.
 */
export async function segmentRanges(
  dir: DurableDirectory,
  options: { scanFinal: boolean },
): Promise<SegmentRange[]> {
  const files = await listSegments(dir);
  assertContiguous(files);
  const outcomes: SegmentOutcome[] = [];
  for (let i = 0; i < files.length; i++) {
    const isFinal = i === files.length - 1;
    outcomes.push(
      await scanSegment(dir, files[i]!, {
        mode: 'best-effort',
        maxEntryBytes: MAX_WAL_ENTRY_BYTES,
        isFinal,
        expectedStartEntryId: undefined,
        headerOnly: !(isFinal && options.scanFinal),
      }),
    );
  }
  const ranges: SegmentRange[] = [];
  for (let i = 0; i < files.length; i++) {
    const file = files[i]!;
    const outcome = outcomes[i]!;
    const nextStart = outcomes[i + 1]?.startEntryId;
    let lastEntryId = outcome.lastEntryId;
    if (i < files.length - 1) {
      if (nextStart === undefined) {
        const full = await scanSegment(dir, file, {
          mode: 'strict',
          maxEntryBytes: MAX_WAL_ENTRY_BYTES,
          isFinal: false,
          expectedStartEntryId: undefined,
        });
        lastEntryId = full.lastEntryId;
      } else {
        const start = outcome.startEntryId!;
        if (nextStart < start) {
          throw new CorruptionError('segment start_entry_id goes backwards', {
            path: files[i + 1]!.path,
            segmentId: files[i + 1]!.segmentId,
            offset: 16,
            expected: `≥ ${start}`,
            actual: nextStart,
          });
        }
        lastEntryId = nextStart > start ? nextStart - 1 : undefined;
      }
    }
    ranges.push({ ...file, firstEntryId: outcome.startEntryId, lastEntryId, bytes: outcome.bytes });
  }
  return ranges;
}
