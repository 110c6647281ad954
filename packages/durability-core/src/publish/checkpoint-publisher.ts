import { z } from 'zod';
import { decodeCanonicalCbor } from '../checkpoint/canonical-cbor-decode.js';
import { encodeCanonicalCbor } from '../checkpoint/canonical-cbor-encode.js';
import { CheckpointFile, type CheckpointWriteResult } from '../checkpoint/checkpoint-file.js';
import { CHECKPOINT_HEADER_BYTES, MAX_CHECKPOINT_PAYLOAD_BYTES } from '../checkpoint/checkpoint-format.js';
import type { Codec } from '../codec/codec.js';
import type { Directory, DurableDirectory } from '../directory.js';
import { EncodeError, InvalidPathError, NotSupportedError } from '../errors.js';
import { guardDirectory } from '../guarded-directory.js';
import { byteCountSchema, codecOptionSchema, parseOptions } from '../options/shared-options.js';
import { assertSafePath, parentPath } from '../paths.js';
import { RecoveryManager } from '../recovery/recovery-manager.js';
import type { SegmentIndexCheckpoint, SegmentIndexLike } from '../recovery/segment-index.js';
import { restoreCheckpointState } from '../recovery/segment-index-checkpoint.js';
import type { WalEntry } from '../wal/wal-entry.js';
import { WAL_DIR } from '../wal/wal-format.js';
import { segmentRanges, type TruncateResult, WalMaintenance } from '../wal/wal-maintenance.js';
import type { WalWriter } from '../wal/wal-writer.js';

/** A segment index in any form `RecoveryManager.toCheckpointState` accepts. */
export type SegmentIndexState = SegmentIndexLike;

export interface CheckpointPublisherOptions<S> {
  /**
   * State → payload. Default: the segment index (`RecoveredState` or `SegmentIndexCheckpoint`),
   * normalised with `RecoveryManager.toCheckpointState` and encoded as canonical CBOR, which is what
   * `RecoveryManager` reads. Pass the codec your `recoverWithWal` reads with for any other state.
   */
  codec?: Codec<S>;
  /** Largest payload; default and hard maximum 256 MiB (`LimitExceededError`, nothing written). */
  maxPayloadBytes?: number;
  /**
   * Refuse to publish (`NotSupportedError`, before anything is written) on a backend without
   * `durableSync`, instead of publishing with plain `atomicWrite`. Default false.
   */
  requireDurable?: boolean;
  /**
   * Read the checkpoint back and decode it with `codec` before appending its marker: a codec that cannot
   * read what it wrote is caught while the WAL is still whole. Default false.
   */
  verify?: boolean;
}

export interface PublishOptions {
  /**
   * Superseded checkpoint files to delete once the new marker is durable (and the WAL truncated).
   * Recovery needs only the checkpoint named by the newest marker; the new path itself is refused here.
   */
  removeCheckpoints?: readonly string[];
}

/** What `publish` did, step by step. */
export interface PublishResult {
  checkpointPath: string;
  lastAppliedId: number;
  /** Step 1: how the checkpoint was written. `durable: false` means plain `atomicWrite` (no `durableSync`). */
  checkpoint: CheckpointWriteResult;
  /** Step 2: the id of the appended `Checkpoint` marker (durable before step 3 began). */
  markerEntryId: number;
  /** Step 3: the WAL segments deleted. */
  truncation: TruncateResult;
  /** Step 4: the superseded checkpoints deleted. */
  removedCheckpoints: string[];
}

const optionsSchema = z.strictObject({
  codec: codecOptionSchema.optional(),
  maxPayloadBytes: byteCountSchema(1, MAX_CHECKPOINT_PAYLOAD_BYTES).optional(),
  requireDurable: z.boolean().default(false),
  verify: z.boolean().default(false),
});

/**
 * Crash-safe checkpoint publishing and WAL truncation (ARCHITECTURE §6; FORMAT.md § Checkpoint,
 * "Publish order"). `publish(wal, state, lastAppliedId, path)`:
 *
 * 0. refuses, with nothing written: `lastAppliedId` above `wal.lastEntryId` (a checkpoint must never be
 *    ahead of the WAL, or resumed writers would reuse its ids), below the WAL's first remaining entry − 1
 *    (the newest marker must name a checkpoint covering every truncated entry), or other than a
 *    `RecoveredState`'s `lastEntryId` (all `RangeError`); a path in `wal/` (`InvalidPathError`); a state
 *    the codec refuses (`EncodeError` / `LimitExceededError`: it is encoded here). Then it
 *    `flushAndSync`s the WAL, so every entry the checkpoint reflects is durable before the checkpoint
 *    exists;
 * 1. writes the checkpoint: `atomicWriteDurable` where the backend has `durableSync`, else `atomicWrite`
 *    (said in `result.checkpoint.durable`; `requireDurable` refuses instead);
 * 2. appends `{ type: 'Checkpoint', checkpointPath, lastEntryId: lastAppliedId }` and `flushAndSync`s it;
 * 3. only then deletes the WAL segments it covers (`WalMaintenance.truncatePrefix`, which syncs the
 *    directory), never the final one;
 * 4. deletes `removeCheckpoints` and syncs their directories.
 * A failure at any step rejects with that step's error and leaves everything recovery needs in place: at
 * worst an unreferenced checkpoint file or untruncated segments remain. A failure in step 2 poisons the
 * WAL writer (fail-stop): reopen it with `WalWriter.resume`. A rejection from step 3 or 4 comes after
 * the checkpoint is published; only space reclamation is unfinished (retry `truncatePrefix`).
 * Calls on one publisher run one at a time. `dir` must be the WAL's directory.
 */
export class CheckpointPublisher<S = SegmentIndexState> {
  private readonly dir: DurableDirectory;
  private readonly file: CheckpointFile<S>;
  private readonly requireDurable: boolean;
  private readonly verify: boolean;
  /** With the default (segment-index) codec, a `RecoveredState` must say it reflects `lastAppliedId`. */
  private readonly checkLastEntryId: boolean;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(dir: Directory, options: CheckpointPublisherOptions<S> = {}) {
    const parsed = parseOptions(optionsSchema, options, 'CheckpointPublisher options');
    this.dir = guardDirectory(dir);
    const maxPayloadBytes = parsed.maxPayloadBytes ?? MAX_CHECKPOINT_PAYLOAD_BYTES;
    const codec =
      (parsed.codec as Codec<S> | undefined) ?? (segmentIndexStateCodec(maxPayloadBytes) as Codec<S>);
    this.file = new CheckpointFile<S>(this.dir, { codec, maxPayloadBytes });
    this.requireDurable = parsed.requireDurable;
    this.verify = parsed.verify;
    this.checkLastEntryId = parsed.codec === undefined;
  }

  /** Publishes `state` as the checkpoint through `lastAppliedId` (steps 0–4 above). */
  publish(
    wal: WalWriter<WalEntry>,
    state: S,
    lastAppliedId: number,
    checkpointPath: string,
    options: PublishOptions = {},
  ): Promise<PublishResult> {
    const run = this.queue.then(
      () => this.run(wal, state, lastAppliedId, checkpointPath, options),
      () => this.run(wal, state, lastAppliedId, checkpointPath, options),
    );
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async run(
    wal: WalWriter<WalEntry>,
    state: S,
    lastAppliedId: number,
    checkpointPath: string,
    options: PublishOptions,
  ): Promise<PublishResult> {
    // Step 0: arguments, then the WAL durable through lastAppliedId.
    if (!Number.isSafeInteger(lastAppliedId) || lastAppliedId < 0) {
      throw new RangeError(`lastAppliedId must be a non-negative safe integer, got ${lastAppliedId}`);
    }
    const walLast = wal.lastEntryId ?? 0;
    if (lastAppliedId > walLast) {
      throw new RangeError(
        `lastAppliedId ${lastAppliedId} is above the WAL's last entry id ${walLast}: the checkpoint would be ahead of the WAL and resumed writers would reuse its ids`,
      );
    }
    const claimed = this.checkLastEntryId ? (state as { lastEntryId?: unknown }).lastEntryId : undefined;
    if (typeof claimed === 'number' && claimed !== lastAppliedId) {
      throw new RangeError(
        `the state reflects entries through ${claimed}, not lastAppliedId ${lastAppliedId}: recovery would apply entries twice or skip them`,
      );
    }
    assertSafePath(checkpointPath);
    if (checkpointPath === WAL_DIR || checkpointPath.startsWith(`${WAL_DIR}/`)) {
      throw new InvalidPathError('a checkpoint must not live in the WAL directory', { path: checkpointPath });
    }
    const removals = [...(options.removeCheckpoints ?? [])];
    for (const path of removals) {
      assertSafePath(path);
      if (path === checkpointPath) {
        throw new InvalidPathError('removeCheckpoints names the checkpoint being published', { path });
      }
      if (path === WAL_DIR || path.startsWith(`${WAL_DIR}/`)) {
        throw new InvalidPathError('removeCheckpoints names a path in the WAL directory', { path });
      }
    }
    const durable = this.dir.capabilities.durableSync;
    if (!durable && this.requireDurable) {
      throw new NotSupportedError(
        'requireDurable: this backend cannot promise stable storage (durableSync)',
        {
          path: checkpointPath,
        },
      );
    }
    // Encoded before any I/O: a state the codec refuses (EncodeError, LimitExceededError) changes nothing.
    const bytes = this.file.encode(state, lastAppliedId);

    // The WAL may already be truncated by an earlier publish: the new checkpoint must cover what is gone,
    // or its marker (the newest) would name a checkpoint recovery cannot continue from.
    const firstRemaining = (await segmentRanges(this.dir, { scanFinal: false }))[0]?.firstEntryId;
    if (firstRemaining !== undefined && lastAppliedId < firstRemaining - 1) {
      throw new RangeError(
        `lastAppliedId ${lastAppliedId} is below the WAL's truncation point: entries 1..${firstRemaining - 1} are only in an earlier checkpoint`,
      );
    }
    await wal.flushAndSync();

    // Step 1: the checkpoint, durable where the backend can promise it.
    if (durable) await this.dir.atomicWriteDurable(checkpointPath, bytes);
    else await this.dir.atomicWrite(checkpointPath, bytes);
    const checkpoint: CheckpointWriteResult = {
      path: checkpointPath,
      lastAppliedId,
      payloadBytes: bytes.length - CHECKPOINT_HEADER_BYTES,
      fileBytes: bytes.length,
      durable,
    };
    if (this.verify) await this.file.read(checkpointPath);

    // Step 2: the marker, durable before anything is deleted.
    const markerEntryId = await wal.append({
      type: 'Checkpoint',
      checkpointPath,
      lastEntryId: lastAppliedId,
    });
    await wal.flushAndSync();

    // Step 3: segments wholly covered by the checkpoint (never the final one), then the directory sync.
    const truncation = await new WalMaintenance(this.dir).truncatePrefix(lastAppliedId);

    // Step 4: superseded checkpoints, now that the new marker is durable.
    for (const path of removals) await this.dir.delete(path);
    if (durable) {
      const onePerDirectory = new Map(removals.map((path) => [parentPath(path), path]));
      for (const path of onePerDirectory.values()) await this.dir.syncParentDir(path);
    }
    return {
      checkpointPath,
      lastAppliedId,
      checkpoint,
      markerEntryId,
      truncation,
      removedCheckpoints: removals,
    };
  }
}

/** The default publisher codec: any segment-index form → its canonical checkpoint state → canonical CBOR. */
function segmentIndexStateCodec(maxBytes: number): Codec<SegmentIndexState> {
  return {
    encode(state) {
      let normalized: SegmentIndexCheckpoint;
      try {
        normalized = RecoveryManager.toCheckpointState(state);
      } catch (error) {
        throw new EncodeError(`not a segment-index state: ${(error as Error).message}`, { cause: error });
      }
      return encodeCanonicalCbor(normalized, maxBytes);
    },
    decode(bytes) {
      return restoreCheckpointState(decodeCanonicalCbor(bytes)).toCheckpointState();
    },
  };
}
