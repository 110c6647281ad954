export type {
  CanonicalCborCodecOptions,
  CheckpointContents,
  CheckpointFileOptions,
  CheckpointWriteResult,
} from './checkpoint/index.js';
export {
  CANONICAL_CBOR_MAX_DEPTH,
  CHECKPOINT_DIR,
  CHECKPOINT_FORMAT_VERSION,
  CHECKPOINT_HEADER_BYTES,
  CHECKPOINT_MAGIC,
  CheckpointFile,
  canonicalCborCodec,
  checkpointFileName,
  checkpointPathFor,
  decodeCanonicalCbor,
  encodeCanonicalCbor,
  MAX_CHECKPOINT_PAYLOAD_BYTES,
  parseCheckpointFileName,
} from './checkpoint/index.js';
export { crc32, crc32Implementation, crc32Portable } from './checksum/crc32.js';
export type { CborCodecOptions, Codec, EntrySchema } from './codec/codec.js';
export { bytesCodec, CBOR_OPTIONS, cborCodec, decodeWith, encodeWith } from './codec/codec.js';
export type {
  Directory,
  DirectoryCapabilities,
  DurableDirectory,
  FileReader,
  FileWriter,
} from './directory.js';
export { isDurableDirectory, writeAndSync } from './directory.js';
export { syncFile, syncParentDir } from './durable-helpers.js';
export { hasZeroSector, TORN_WRITE_SECTOR_BYTES } from './encoding/torn-write.js';
export type { DurabilityErrorCode, ErrorDetails } from './errors.js';
export {
  AlreadyExistsError,
  CorruptionError,
  DecodeError,
  DurabilityError,
  EncodeError,
  FormatError,
  InvalidConfigError,
  InvalidPathError,
  InvalidStateError,
  IoError,
  LimitExceededError,
  LockedError,
  NotFoundError,
  NotSupportedError,
  PreconditionFailedError,
  TornTailError,
  UnknownOutcomeError,
} from './errors.js';
export { guardDirectory, toDurabilityError } from './guarded-directory.js';
export type { FileKey, ObjectStoreDirectoryOptions } from './object-store/index.js';
export {
  DEFAULT_MAX_PART_BYTES,
  FILE_MARK as OBJECT_STORE_FILE_MARK,
  KeyLayout as ObjectStoreKeyLayout,
  KIND_METADATA as OBJECT_STORE_KIND_METADATA,
  ObjectStoreDirectory,
  WRITER_METADATA as OBJECT_STORE_WRITER_METADATA,
} from './object-store/index.js';
export type {
  GetObjectOptions,
  GetObjectResult,
  ListedObject,
  ListObjectsOptions,
  ListObjectsResult,
  ObjectInfo,
  ObjectStore,
  PutObjectOptions,
} from './object-store/object-store.js';
export { assertSafePath, baseName, isSafePath, joinPath, parentPath } from './paths.js';
export type {
  CheckpointPublisherOptions,
  PublishOptions,
  PublishResult,
  SegmentIndexState,
} from './publish/index.js';
export { CheckpointPublisher } from './publish/index.js';
export { RECORD_LOG_MAX_RECORD_BYTES, RECORD_LOG_VERSION } from './record-log/format.js';
export type {
  RecordLogFlushPolicy,
  RecordLogReaderOptions,
  RecordLogReadOptions,
  RecordLogWriterOptions,
} from './record-log/options.js';
export { RecordLogReader } from './record-log/record-log-reader.js';
export { RecordLogWriter } from './record-log/record-log-writer.js';
export type { RecordLogEndReason, RecordLogReadMode, RecordLogReport } from './record-log/report.js';
export type {
  CheckpointMarker,
  FindMarkerOptions,
  PendingMerge,
  RecoveredSegment,
  RecoveredState,
  RecoverWithWalOptions,
  RecoveryManagerOptions,
  SegmentIndexCheckpoint,
  SegmentIndexLike,
  SegmentIndexRecovery,
  WalRecovery,
} from './recovery/index.js';
export {
  findLatestCheckpointMarker,
  RecoveryManager,
  recoverWithWal,
  SegmentIndex,
  segmentIndexCheckpointSchema,
} from './recovery/index.js';
export type {
  FlushPolicy,
  FrameLocation,
  LockOwner,
  LockTakeover,
  ReplayMode,
  ReplayOptions,
  ReplayReport,
  SegmentRange,
  StopReason,
  TruncateResult,
  WalEntry,
  WalLockState,
  WalReaderOptions,
  WalRecord,
  WalWriterOptions,
} from './wal/index.js';
export {
  addSegmentSchema,
  cancelMergeSchema,
  checkpointEntrySchema,
  deleteDocumentsSchema,
  endMergeSchema,
  FRAME_HEADER_BYTES,
  MAX_WAL_ENTRY_BYTES,
  parseSegmentFileName,
  readWalLock,
  SEGMENT_HEADER_BYTES,
  segmentFileName,
  segmentPath,
  startMergeSchema,
  WAL_DIR,
  WAL_FORMAT_VERSION,
  WAL_LOCK_PATH,
  WAL_MAGIC,
  WalMaintenance,
  WalReader,
  WalWriter,
  walEntrySchema,
} from './wal/index.js';
export type { LockTakeoverPolicy } from './wal/wal-lock.js';
