/** How a read of a record log is allowed to treat a torn end. */
export type { ReadMode as RecordLogReadMode } from '../options/shared-options.js';

/**
 * Why a read stopped. Only `clean-end` is a complete log; the others describe what a crash during an
 * append (or during creation) leaves, and best-effort reads drop it. Corruption is never a reason: it is
 * an error in both modes.
 */
export type RecordLogEndReason = 'clean-end' | 'torn-tail' | 'zero-filled-tail' | 'torn-header';

/** What a read found: where the valid prefix ends and what was dropped after it. */
export interface RecordLogReport {
  /** The directory-relative path of the log. */
  path: string;
  reason: RecordLogEndReason;
  /** Valid records delivered, in order. */
  records: number;
  /**
   * End offset of the last valid frame: 8 (the header) for a log without records, 0 for a torn header.
   * Everything before it is the valid prefix `RecordLogWriter.resume` keeps.
   */
  validBytes: number;
  /** Bytes after `validBytes` up to the file's length: 0 exactly when `reason` is `clean-end`. */
  droppedBytes: number;
}
