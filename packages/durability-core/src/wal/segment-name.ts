import type { Directory } from '../directory.js';
import { FormatError } from '../errors.js';
import { WAL_DIR } from './wal-format.js';

/**
 * Segment files are named `wal_<segment_id>.log` with the id zero-padded to 20 digits (the width of
 * the largest u64), so lexical order is numeric order, also on object stores that list lexically:
 * segment 1 is `wal/wal_00000000000000000001.log`, segment 42 `wal/wal_00000000000000000042.log`.
 *
 * Any other name in `wal/` that looks like a segment (`/^wal_\d+\.log$/`: `wal_1.log`, 21 digits, id 0)
 * is a `FormatError`: a file the writer never made sits where segments live. Names that do not look like
 * segments (`.lock`, a README) are ignored.
 */

const SEGMENT_LIKE = /^wal_(\d+)\.log$/;
const ID_DIGITS = 20;

export interface SegmentFile {
  segmentId: number;
  /** Directory-relative path, e.g. `wal/wal_00000000000000000001.log`. */
  path: string;
}

/** The file name of segment `segmentId` (≥ 1). */
export function segmentFileName(segmentId: number): string {
  if (!Number.isSafeInteger(segmentId) || segmentId < 1) {
    throw new RangeError(`segment id must be a safe integer ≥ 1, got ${segmentId}`);
  }
  return `wal_${String(segmentId).padStart(ID_DIGITS, '0')}.log`;
}

/** The directory-relative path of segment `segmentId`. */
export function segmentPath(segmentId: number): string {
  return `${WAL_DIR}/${segmentFileName(segmentId)}`;
}

/**
 * The segment id a file name denotes; `undefined` for a name that does not look like a segment.
 * Throws `FormatError` for a segment-like name that is not canonical.
 */
export function parseSegmentFileName(name: string): number | undefined {
  const match = SEGMENT_LIKE.exec(name);
  if (!match) return undefined;
  const digits = match[1]!;
  const id = Number(digits);
  if (digits.length !== ID_DIGITS || !Number.isSafeInteger(id) || id < 1) {
    // Row D1 of the decision table (FORMAT.md § WAL segment).
    throw new FormatError('file named like a WAL segment is not a canonical segment name', {
      path: `${WAL_DIR}/${name}`,
      expected: `wal_<${ID_DIGITS}-digit id ≥ 1, ≤ 2^53-1>.log`,
      actual: name,
    });
  }
  return id;
}

/** The segments in `wal/`, ascending by id (not checked for gaps: the scanner does that). */
export async function listSegments(dir: Directory): Promise<SegmentFile[]> {
  const names = await dir.list(WAL_DIR);
  const segments: SegmentFile[] = [];
  for (const name of names) {
    const segmentId = parseSegmentFileName(name);
    if (segmentId !== undefined) segments.push({ segmentId, path: `${WAL_DIR}/${name}` });
  }
  return segments.sort((a, b) => a.segmentId - b.segmentId);
}
