import { type Directory, joinPath, parseSegmentFileName, WAL_DIR } from '@durability/core';

/** A segment file as listed, before anything in it is read. */
export interface SegmentFileInfo {
  segmentId: number;
  /** Directory-relative path, e.g. `wal/wal_00000000000000000001.log`. */
  path: string;
  bytes: number;
}

/**
 * The files in `wal/` named like segments, ascending by id, with their sizes. A non-canonical
 * segment-like name is core's `FormatError` (FORMAT.md § WAL segment, row D1); gaps are not checked here.
 */
export async function listSegmentFiles(dir: Directory): Promise<SegmentFileInfo[]> {
  const files: SegmentFileInfo[] = [];
  for (const name of await dir.list(WAL_DIR)) {
    const segmentId = parseSegmentFileName(name);
    if (segmentId === undefined) continue;
    const path = joinPath(WAL_DIR, name);
    files.push({ segmentId, path, bytes: await dir.size(path) });
  }
  return files.sort((a, b) => a.segmentId - b.segmentId);
}

/** Total bytes of `files`. */
export function totalBytes(files: readonly SegmentFileInfo[]): number {
  return files.reduce((sum, file) => sum + file.bytes, 0);
}
