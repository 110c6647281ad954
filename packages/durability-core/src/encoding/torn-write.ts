/**
 * The torn-write rule: ONE classification of damaged frames shared by every format of this package (the
 * record log, `record-log/scan-record-log.ts`, and the WAL's final segment, `wal/segment-scanner.ts`, use
 * it). Modelled on etcd's `isTornEntry` (server/storage/wal/decoder.go).
 *
 * Why: after a power loss, a file's new size can reach the disk while some of its data blocks do not.
 * The lost blocks read back as whole zeroed sectors, inside the last frame or after it. Such a frame is
 * a write that never completed, not data that rotted on the disk.
 *
 * The rule. A damaged frame (a checksum mismatch: its header checksum, or its payload checksum once the
 * header checked) at the END of the final file is a **torn write**, not corruption, if and only if
 *
 *   (a) some sector-aligned chunk of the frame's bytes is all zero (`hasZeroSector`: the bytes are split
 *       at every file offset that is a multiple of `TORN_WRITE_SECTOR_BYTES`, so the first and last chunk
 *       may be shorter than a sector), AND
 *   (b) every byte after the frame, to the end of the file, is zero.
 *
 * Anything else is corruption, an error in every read mode, and never repaired away. When the header
 * checksum fails the frame's length cannot be trusted, so "the frame's bytes" are its header and (b)
 * starts right after the header. An all-zero frame followed by zeros satisfies both conditions.
 *
 * (b) is stricter than etcd on purpose: etcd looks only at the damaged entry, so a flipped bit in a frame
 * that happens to hold a zero sector would be dropped even when valid data follows it. A torn write
 * leaves nothing but zeros after the point where the disk stopped; non-zero bytes after a damaged frame
 * mean acknowledged data may follow it, and a loud error beats silently dropping data after bit rot.
 *
 * Residual risk (accepted, as in etcd): bit rot in the final frame of a file, when that frame already
 * held an all-zero sector-aligned chunk (a run of zero payload bytes, or a short zero chunk at a sector
 * edge) and nothing but zeros follows it, is read as a torn write.
 */

/** The sector size the rule assumes: the smallest unit a disk writes atomically (etcd's minSectorSize). */
export const TORN_WRITE_SECTOR_BYTES = 512;

/**
 * True when some sector-aligned chunk of `bytes` is entirely zero. `bytes` start at file offset
 * `fileOffset`; they are split at every file offset that is a multiple of 512, so the chunks at either
 * edge may be shorter than a sector. An empty input has no chunk: false.
 */
export function hasZeroSector(bytes: Uint8Array, fileOffset: number): boolean {
  if (!Number.isSafeInteger(fileOffset) || fileOffset < 0) {
    throw new RangeError(`fileOffset must be a non-negative integer, got ${fileOffset}`);
  }
  let start = 0;
  while (start < bytes.length) {
    const toBoundary = TORN_WRITE_SECTOR_BYTES - ((fileOffset + start) % TORN_WRITE_SECTOR_BYTES);
    const end = Math.min(bytes.length, start + toBoundary);
    let zero = true;
    for (let i = start; i < end; i++) {
      if (bytes[i] !== 0) {
        zero = false;
        break;
      }
    }
    if (zero) return true;
    start = end;
  }
  return false;
}
