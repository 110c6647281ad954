import { InvalidConfigError, type ReplayMode, type ReplayReport } from '@durability/core';
import { type ErrorSummary, summarizeError } from '../error-summary.js';
import type { ExitCode } from '../exit-codes.js';
import { type JsonValue, toJsonValue } from '../json-value.js';
import type { OpenedDirectory } from '../open-directory.js';
import { type ProgressSink, withProgress } from '../progress.js';
import { STOP, scanWal } from '../scan/scan-wal.js';
import { listSegmentFiles, totalBytes } from '../scan/segment-files.js';
import { exitCodeForStatus, type WalStatus, walStatus } from '../scan/verdict.js';

/** One dumped entry: `entry` is the decoded CBOR mapped to JSON (README § dump), or `{"$bytes"}` raw. */
export interface DumpedEntry {
  entryId: number;
  entry: JsonValue;
}

export interface DumpOptions {
  /** First entry id to print (inclusive). */
  from?: number;
  /** Last entry id to print (inclusive); the scan stops after it. */
  to?: number;
  /** How a torn tail counts in the exit code, as for `verify` (default `strict`). */
  mode?: ReplayMode;
  /** Decode payloads as CBOR (default true); false prints each payload as `{"$bytes": base64}`. */
  decode?: boolean;
  /** Receives each entry in id order; awaited (backpressure). */
  onEntry: (entry: DumpedEntry) => void | Promise<void>;
  progress?: ProgressSink;
}

/** What `durability dump` reports after the entries. */
export interface DumpResult {
  command: 'dump';
  location: string;
  backend: string;
  mode: ReplayMode;
  from: number | null;
  to: number | null;
  /** Entries printed. */
  entriesWritten: number;
  firstEntryId: number | null;
  lastEntryId: number | null;
  /** True when the scan ended at `to`, before the end of the WAL (its tail was not checked). */
  stoppedAtTo: boolean;
  /** `clean` also when stopped at `to` (nothing after it was read). */
  status: WalStatus;
  exitCode: ExitCode;
  report: ReplayReport | null;
  damage: ErrorSummary | null;
}

/**
 * Streams the entries with `from ≤ entryId ≤ to` to `onEntry`, in order, validated as `verify` validates
 * them. Damage ends the stream: entries before it have been delivered, and `damage` says where.
 */
export async function dumpWal(target: OpenedDirectory, options: DumpOptions): Promise<DumpResult> {
  const from = checkId(options.from, '--from');
  const to = checkId(options.to, '--to');
  if (from !== undefined && to !== undefined && from > to) {
    throw new InvalidConfigError(`--from ${from} is after --to ${to}`);
  }
  const mode = options.mode ?? 'strict';
  const { dir } = target;
  const total = totalBytes(await listSegmentFiles(dir));
  let written = 0;
  let firstWritten: number | undefined;
  let lastWritten: number | undefined;
  const scan = await withProgress(options.progress, total, (update) =>
    scanWal(dir, {
      decode: options.decode ?? true,
      onProgress: update,
      onEntry: async (entryId, entry) => {
        if (to !== undefined && entryId > to) return STOP;
        if (from !== undefined && entryId < from) return undefined;
        await options.onEntry({ entryId, entry: toJsonValue(entry) });
        written++;
        firstWritten ??= entryId;
        lastWritten = entryId;
        return to !== undefined && entryId >= to ? STOP : undefined;
      },
    }),
  );
  const status = scan.stoppedEarly ? 'clean' : walStatus(scan);
  return {
    command: 'dump',
    location: target.location,
    backend: target.backend,
    mode,
    from: from ?? null,
    to: to ?? null,
    entriesWritten: written,
    firstEntryId: firstWritten ?? null,
    lastEntryId: lastWritten ?? null,
    stoppedAtTo: scan.stoppedEarly,
    status,
    exitCode: exitCodeForStatus(status, mode),
    report: scan.report ? { ...scan.report, mode } : null,
    damage: scan.damage === undefined ? null : summarizeError(scan.damage),
  };
}

function checkId(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InvalidConfigError(`${name} must be an entry id (an integer ≥ 1)`, { actual: value });
  }
  return value;
}
