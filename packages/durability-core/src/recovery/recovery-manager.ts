import { z } from 'zod';
import { MAX_CHECKPOINT_PAYLOAD_BYTES } from '../checkpoint/checkpoint-format.js';
import type { Directory, DurableDirectory } from '../directory.js';
import { InvalidConfigError, InvalidStateError } from '../errors.js';
import { guardDirectory } from '../guarded-directory.js';
import type { ReplayMode, ReplayReport } from '../wal/replay-report.js';
import { type WalEntry, walEntrySchema } from '../wal/wal-entry.js';
import type { WalReaderOptions } from '../wal/wal-options.js';
import { findLatestCheckpointMarker } from './latest-marker.js';
import { recoverWithWal } from './recover-with-wal.js';
import {
  type RecoveredState,
  SegmentIndex,
  type SegmentIndexCheckpoint,
  type SegmentIndexLike,
} from './segment-index.js';
import { segmentIndexCodec } from './segment-index-checkpoint.js';

export interface RecoveryManagerOptions {
  /** Largest checkpoint payload accepted; default and hard maximum 256 MiB. */
  maxCheckpointBytes?: number;
  /** Size of one ranged WAL read while streaming (see `WalReaderOptions.chunkBytes`). */
  chunkBytes?: number;
}

/** A recovered segment index, and how it was recovered. */
export interface SegmentIndexRecovery extends RecoveredState {
  /** The WAL replay's report (of the pass that applied entries). */
  report: ReplayReport;
  /** The checkpoint recovery started from; `markerEntryId` when `recoverLatest` found it through a marker. */
  checkpoint: { path: string; lastAppliedId: number; markerEntryId?: number } | undefined;
}

const optionsSchema = z.strictObject({
  maxCheckpointBytes: z.number().int().min(1).max(MAX_CHECKPOINT_PAYLOAD_BYTES).optional(),
  chunkBytes: z
    .number()
    .int()
    .min(1)
    .max(64 * 1024 * 1024)
    .optional(),
});

/**
 * Recovery of the seed's segment-index WAL (`WalEntry`): a checkpoint of the index plus the WAL suffix
 * (`recoverWithWal` with the `SegmentIndex` state machine; semantics in FORMAT.md § Checkpoint).
 *
 * - `recover(path?)`: strict replay from the checkpoint at `path`, or from the empty index.
 * - `recoverBestEffort(path?)`: the same, forgiving only a torn tail of the final WAL segment.
 * - `recoverLatest({ mode })`: starts from the checkpoint named by the newest `Checkpoint` marker in the
 *   WAL (two streaming passes: find the marker, then apply), or from the empty index when there is none.
 * In every mode: a missing or damaged checkpoint, a WAL truncated past what the checkpoint covers, a
 * checkpoint ahead of the WAL and an invalid transition are typed errors, never a smaller state.
 */
export class RecoveryManager {
  private readonly dir: DurableDirectory;
  private readonly maxCheckpointBytes: number;
  private readonly walOptions: WalReaderOptions<WalEntry>;

  constructor(dir: Directory, options: RecoveryManagerOptions = {}) {
    const parsed = optionsSchema.safeParse(options ?? {});
    if (!parsed.success) {
      throw new InvalidConfigError(`invalid RecoveryManager options: ${parsed.error.message}`, {
        cause: parsed.error,
      });
    }
    this.dir = guardDirectory(dir);
    this.maxCheckpointBytes = parsed.data.maxCheckpointBytes ?? MAX_CHECKPOINT_PAYLOAD_BYTES;
    this.walOptions = { schema: walEntrySchema, chunkBytes: parsed.data.chunkBytes };
  }

  /** Strict: any torn tail, damage or gap is an error. */
  recover(checkpointPath?: string): Promise<SegmentIndexRecovery> {
    return this.run(checkpointPath, 'strict');
  }

  /** Best-effort: the longest valid prefix when the final WAL segment ends in a torn tail. */
  recoverBestEffort(checkpointPath?: string): Promise<SegmentIndexRecovery> {
    return this.run(checkpointPath, 'best-effort');
  }

  /** From the newest checkpoint marker in the WAL (strict unless `mode: 'best-effort'`). */
  async recoverLatest(options: { mode?: ReplayMode } = {}): Promise<SegmentIndexRecovery> {
    const mode = options.mode ?? 'strict';
    const { marker } = await findLatestCheckpointMarker<WalEntry>(this.dir, {
      markerOf: (entry) => (entry.type === 'Checkpoint' ? entry : undefined),
      mode,
      wal: this.walOptions,
    });
    const recovered = await this.run(marker?.checkpointPath, mode);
    if (marker) {
      if ((recovered.report.lastEntryId ?? 0) < marker.entryId) {
        throw new InvalidStateError(
          'the WAL changed between the two recovery passes (is a writer truncating it?)',
          {
            expected: `an entry ${marker.entryId}`,
            actual: recovered.report.lastEntryId,
          },
        );
      }
      recovered.checkpoint = { ...recovered.checkpoint!, markerEntryId: marker.entryId };
    }
    return recovered;
  }

  /**
   * The checkpoint payload for a recovered (or hand-built) index: every list sorted, so equal indexes
   * give equal states and, with canonical CBOR, equal bytes. An inconsistent index is a `RangeError`.
   */
  static toCheckpointState(recovered: SegmentIndexLike): SegmentIndexCheckpoint {
    return SegmentIndex.restore(
      { segments: recovered.segments, pendingMerges: recovered.pendingMerges ?? [] },
      (message) => new RangeError(`not a valid segment index: ${message}`),
      { sorted: false },
    ).toCheckpointState();
  }

  private async run(checkpointPath: string | undefined, mode: ReplayMode): Promise<SegmentIndexRecovery> {
    const result = await recoverWithWal<SegmentIndex, WalEntry>(this.dir, {
      checkpointPath,
      initial: new SegmentIndex(),
      apply: (index, entry, entryId) => {
        index.apply(entry, entryId);
        return index;
      },
      mode,
      wal: this.walOptions,
      checkpoint: {
        codec: segmentIndexCodec(this.maxCheckpointBytes),
        maxPayloadBytes: this.maxCheckpointBytes,
      },
    });
    return {
      ...result.state.toRecoveredState(result.lastAppliedId),
      report: result.report,
      checkpoint: result.checkpoint,
    };
  }
}
