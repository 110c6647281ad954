// Recovery: checkpoint + WAL suffix, generic and for the seed's segment index.

export type { CheckpointMarker, FindMarkerOptions } from './latest-marker.js';
export { findLatestCheckpointMarker } from './latest-marker.js';
export type { RecoverWithWalOptions, WalRecovery } from './recover-with-wal.js';
export { recoverWithWal } from './recover-with-wal.js';
export type { RecoveryManagerOptions, SegmentIndexRecovery } from './recovery-manager.js';
export { RecoveryManager } from './recovery-manager.js';
export type {
  PendingMerge,
  RecoveredSegment,
  RecoveredState,
  SegmentIndexCheckpoint,
  SegmentIndexLike,
} from './segment-index.js';
export { SegmentIndex } from './segment-index.js';
export { segmentIndexCheckpointSchema } from './segment-index-checkpoint.js';
