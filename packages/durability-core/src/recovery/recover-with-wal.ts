import { CheckpointFile } from '../checkpoint/checkpoint-file.js';
import type { CheckpointFileOptions } from '../checkpoint/checkpoint-options.js';
import type { Directory } from '../directory.js';
import { CorruptionError } from '../errors.js';
import { guardDirectory } from '../guarded-directory.js';
import type { ReplayMode, ReplayReport } from '../wal/replay-report.js';
import type { WalReaderOptions } from '../wal/wal-options.js';
import { WalReader } from '../wal/wal-reader.js';

export interface RecoverWithWalOptions<S, E> {
  /** The checkpoint to start from; without it recovery starts from `initial` and needs the WAL from id 1. */
  checkpointPath?: string;
  /** The state before entry 1 (used when there is no checkpoint). */
  initial: S;
  /** Applies one entry and returns the next state (it may mutate and return `state`). Throw to refuse it. */
  apply: (state: S, entry: E, entryId: number) => S;
  /** WAL replay mode; `'strict'` by default. Checkpoint and coverage problems are errors in both modes. */
  mode?: ReplayMode;
  /** How WAL entries are read (codec, schema, caps). */
  wal?: WalReaderOptions<E>;
  /** How the checkpoint is read (codec, schema, `maxPayloadBytes`). */
  checkpoint?: CheckpointFileOptions<S>;
}

export interface WalRecovery<S> {
  state: S;
  /** The id of the last entry `state` reflects: the checkpoint's or a later applied entry's; 0 for none. */
  lastAppliedId: number;
  /** What the WAL replay found (where it stopped, why, what it dropped). */
  report: ReplayReport;
  /** The checkpoint recovery started from, if any. */
  checkpoint: { path: string; lastAppliedId: number } | undefined;
  /** Entries applied on top of the checkpoint (ids above its `lastAppliedId`). */
  entriesApplied: number;
  /** Entries replayed but skipped because the checkpoint already reflects them. */
  entriesSkipped: number;
}

/**
 * "Checkpoint + WAL suffix" recovery for any state `S` and entry type `E` (ARCHITECTURE §6): loads the
 * checkpoint (verified whole, FORMAT.md § Checkpoint), then streams the WAL (`replayEach`, bounded
 * memory) and applies only entries with id > its `lastAppliedId`.
 *
 * Coverage rules, checked in both modes (a result that is not a prefix of the history is never returned;
 * with `L` = the checkpoint's `lastAppliedId`, or 0 without one):
 * - the WAL's first entry (or, when it holds none, its next id) must be ≤ `L + 1`: otherwise entries
 *   `L + 1 …` were truncated with no checkpoint covering them → `CorruptionError`;
 * - the WAL must reach `L` (its last id, or next id − 1, ≥ `L`): otherwise the checkpoint is ahead of the
 *   WAL and a writer resuming it would reuse ids the checkpoint already covers → `CorruptionError`;
 * - a missing checkpoint is `NotFoundError`, a damaged one `CorruptionError` / `FormatError` /
 *   `LimitExceededError` / `DecodeError`: never a silent fallback to `initial`.
 */
export async function recoverWithWal<S, E>(
  dir: Directory,
  options: RecoverWithWalOptions<S, E>,
): Promise<WalRecovery<S>> {
  if (typeof options?.apply !== 'function') throw new TypeError('recoverWithWal needs an apply function');
  const guarded = guardDirectory(dir);
  const { checkpointPath } = options;
  let state = options.initial;
  let covered = 0;
  let checkpoint: WalRecovery<S>['checkpoint'];
  if (checkpointPath !== undefined) {
    const loaded = await new CheckpointFile<S>(guarded, options.checkpoint).read(checkpointPath);
    state = loaded.state;
    covered = loaded.lastAppliedId;
    checkpoint = { path: checkpointPath, lastAppliedId: covered };
  }

  let lastAppliedId = covered;
  let entriesApplied = 0;
  let entriesSkipped = 0;
  let seenFirst = false;
  const report = await new WalReader<E>(guarded, options.wal).replayEach(
    (record) => {
      if (!seenFirst) {
        seenFirst = true;
        if (record.entryId > covered + 1) throw gapError(record.entryId, covered, checkpointPath);
      }
      if (record.entryId <= covered) {
        entriesSkipped++;
        return;
      }
      state = options.apply(state, record.payload, record.entryId);
      lastAppliedId = record.entryId;
      entriesApplied++;
    },
    { mode: options.mode ?? 'strict' },
  );

  // An empty WAL (no segments) will start at id 1; `nextEntryId` is unknowable only for a lone final
  // segment above 1 whose header is torn (best-effort): ids before it existed, so it needs a checkpoint.
  const next = report.nextEntryId ?? (report.segmentCount === 0 ? 1 : undefined);
  if (report.entriesReplayed === 0) {
    if (next === undefined ? covered === 0 : next > covered + 1) {
      throw gapError(next, covered, checkpointPath);
    }
  }
  if (next !== undefined && next - 1 < covered) {
    throw new CorruptionError(
      'the checkpoint is ahead of the WAL: a writer resuming this WAL would reuse ids the checkpoint covers',
      {
        path: checkpointPath,
        expected: `last_applied_id ≤ ${next - 1} (the WAL's last id)`,
        actual: covered,
      },
    );
  }
  return { state, lastAppliedId, report, checkpoint, entriesApplied, entriesSkipped };
}

function gapError(
  first: number | undefined,
  covered: number,
  checkpointPath: string | undefined,
): CorruptionError {
  const where = first === undefined ? 'at an unknown id' : `at entry ${first}`;
  const message =
    checkpointPath === undefined
      ? `the WAL starts ${where} and no checkpoint covers the entries before it (recover from a checkpoint: recoverLatest)`
      : `the WAL starts ${where}, after the checkpoint's last_applied_id ${covered}: entries in between are missing`;
  return new CorruptionError(message, {
    path: checkpointPath,
    expected: `first WAL entry ≤ ${covered + 1}`,
    actual: first ?? 'unknown',
  });
}
