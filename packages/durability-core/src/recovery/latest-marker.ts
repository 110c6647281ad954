import type { Directory } from '../directory.js';
import { CorruptionError } from '../errors.js';
import type { ReplayMode, ReplayReport } from '../wal/replay-report.js';
import type { WalReaderOptions } from '../wal/wal-options.js';
import { WalReader } from '../wal/wal-reader.js';

/** A checkpoint marker found in the WAL. */
export interface CheckpointMarker {
  /** The marker's own entry id. */
  entryId: number;
  checkpointPath: string;
  /** The last entry id the named checkpoint covers (`last_applied_id`). */
  lastEntryId: number;
}

export interface FindMarkerOptions<E> {
  /** The marker an entry is, if it is one. */
  markerOf: (entry: E) => { checkpointPath: string; lastEntryId: number } | undefined;
  mode?: ReplayMode;
  wal?: WalReaderOptions<E>;
}

/**
 * Streams the WAL once and returns its newest checkpoint marker (highest entry id), with the replay
 * report. Markers are appended only after their checkpoint is durable and are themselves made durable
 * before any segment is truncated (ARCHITECTURE §6), so the newest marker names the checkpoint recovery
 * must start from. Memory is bounded: only the newest marker is kept. A marker that claims to cover
 * itself or a later entry is a `CorruptionError`.
 */
export async function findLatestCheckpointMarker<E>(
  dir: Directory,
  options: FindMarkerOptions<E>,
): Promise<{ marker: CheckpointMarker | undefined; report: ReplayReport }> {
  let marker: CheckpointMarker | undefined;
  const report = await new WalReader<E>(dir, options.wal).replayEach(
    (record) => {
      const found = options.markerOf(record.payload);
      if (found) {
        if (!(found.lastEntryId < record.entryId)) {
          throw new CorruptionError(
            `the checkpoint marker at entry ${record.entryId} can only cover earlier entries`,
            {
              expected: `lastEntryId < ${record.entryId} (the marker's own id)`,
              actual: found.lastEntryId,
            },
          );
        }
        marker = {
          entryId: record.entryId,
          checkpointPath: found.checkpointPath,
          lastEntryId: found.lastEntryId,
        };
      }
    },
    { mode: options.mode ?? 'strict' },
  );
  return { marker, report };
}
