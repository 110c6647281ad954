// The segmented write-ahead log: writer, reader, maintenance, the segment-index entry type.

export type { ReplayMode, ReplayReport, StopReason, WalRecord } from './replay-report.js';
export { parseSegmentFileName, segmentFileName, segmentPath } from './segment-name.js';
export type { FrameLocation } from './segment-scanner.js';
export type { WalEntry } from './wal-entry.js';
export {
  addSegmentSchema,
  cancelMergeSchema,
  checkpointEntrySchema,
  deleteDocumentsSchema,
  endMergeSchema,
  startMergeSchema,
  walEntrySchema,
} from './wal-entry.js';
export {
  FRAME_HEADER_BYTES,
  MAX_WAL_ENTRY_BYTES,
  SEGMENT_HEADER_BYTES,
  WAL_DIR,
  WAL_FORMAT_VERSION,
  WAL_MAGIC,
} from './wal-format.js';
export type { LockOwner, LockTakeover, WalLockState } from './wal-lock.js';
export { LOCK_PATH as WAL_LOCK_PATH, readWalLock } from './wal-lock.js';
export type { SegmentRange, TruncateResult } from './wal-maintenance.js';
export { WalMaintenance } from './wal-maintenance.js';
export type { FlushPolicy, ReplayOptions, WalReaderOptions, WalWriterOptions } from './wal-options.js';
export { WalReader } from './wal-reader.js';
export { WalWriter } from './wal-writer.js';
