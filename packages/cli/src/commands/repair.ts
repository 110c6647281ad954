import { type LockTakeover, type ReplayReport, type StopReason, WalWriter } from '@durability/core';
import { type ErrorSummary, summarizeError } from '../error-summary.js';
import { ExitCode } from '../exit-codes.js';
import type { OpenedDirectory } from '../open-directory.js';
import { type ProgressSink, withProgress } from '../progress.js';
import { type LockInfo, readLockOwner } from '../scan/lock-owner.js';
import { scanWal } from '../scan/scan-wal.js';
import { listSegmentFiles, totalBytes } from '../scan/segment-files.js';
import { type WalStatus, walStatus } from '../scan/verdict.js';

export interface RepairOptions {
  /** Report what would be done; change nothing (no lock taken). */
  dryRun?: boolean;
  progress?: ProgressSink;
}

/**
 * What `WalWriter.resume` does to a WAL whose final segment ends in a torn tail:
 * - `truncate`: cut the final segment back to `truncateTo` (its last valid frame boundary);
 * - `reset-header`: the final segment's header is torn: truncate it to 0 and write a fresh header;
 * - `none`: the WAL is clean (nothing to do) or corrupt (never repaired).
 */
export type RepairAction = 'none' | 'truncate' | 'reset-header';

/** What `durability repair` reports (its `--json` document). */
export interface RepairResult {
  command: 'repair';
  location: string;
  backend: string;
  dryRun: boolean;
  /** The WAL before the repair. */
  status: WalStatus;
  /** Why the final segment's valid data ends where it does. */
  reason: StopReason | null;
  action: RepairAction;
  segmentId: number | null;
  path: string | null;
  /** The final segment's length after the repair. */
  truncateTo: number | null;
  bytesDropped: number;
  /** Entries the WAL holds after the repair. */
  entriesKept: number;
  lastEntryId: number | null;
  /** The id the next append gets. */
  nextEntryId: number | null;
  /** True when the repair was carried out (never on `dryRun`). */
  applied: boolean;
  /** The lock as found before the repair (`null`: no writer held it). */
  lock: LockInfo | null;
  /** The stale lock the repair took over (a writer that died), if any. */
  lockTakeover: { reason: LockTakeover['reason']; message: string } | null;
  /** Corruption found instead of a torn tail: nothing was changed. */
  damage: ErrorSummary | null;
  /** 0 repaired or nothing to do; 1 dry run found a repair to make; 2 corruption (not repairable). */
  exitCode: ExitCode;
}

/**
 * Repairs a torn tail exactly as `WalWriter.resume` does when a writer reopens the WAL (it takes the
 * lock, truncates, syncs, and is closed at once), after a read-only scan that says what it will do.
 * Corruption is never repaired. A WAL locked by a live writer is refused (`LockedError`, exit 75): its
 * tail may be an append in flight, not a torn write.
 */
export async function repairWal(target: OpenedDirectory, options: RepairOptions = {}): Promise<RepairResult> {
  const dryRun = options.dryRun ?? false;
  const { dir } = target;
  const lock = (await readLockOwner(dir)) ?? null;
  const total = totalBytes(await listSegmentFiles(dir));
  const scan = await withProgress(options.progress, total, (update) =>
    scanWal(dir, { decode: false, onProgress: update }),
  );
  const status = walStatus(scan);
  const base = {
    command: 'repair' as const,
    location: target.location,
    backend: target.backend,
    dryRun,
    status,
    lock,
    lockTakeover: null,
  };
  if (status === 'corrupt' || !scan.report) {
    return {
      ...base,
      ...emptyPlan(scan.report),
      applied: false,
      damage: scan.damage === undefined ? null : summarizeError(scan.damage),
      exitCode: ExitCode.CORRUPTION,
    };
  }
  const plan = planFor(scan.report);
  if (plan.action === 'none' || dryRun) {
    return {
      ...base,
      ...plan,
      applied: false,
      damage: null,
      exitCode: plan.action === 'none' ? ExitCode.OK : ExitCode.TORN_TAIL,
    };
  }

  let takeover: LockTakeover | undefined;
  const writer = await WalWriter.resume(dir, {
    onLockTakeover: (found) => {
      takeover = found;
    },
  });
  await writer.close();
  // What resume actually found (a writer may have changed the tail between the scan and the lock).
  const done = writer.resumeReport ? planFor(writer.resumeReport) : plan;
  return {
    ...base,
    ...done,
    applied: done.action !== 'none',
    lockTakeover: takeover ? { reason: takeover.reason, message: takeover.message } : null,
    damage: null,
    exitCode: ExitCode.OK,
  };
}

type Plan = Pick<
  RepairResult,
  | 'reason'
  | 'action'
  | 'segmentId'
  | 'path'
  | 'truncateTo'
  | 'bytesDropped'
  | 'entriesKept'
  | 'lastEntryId'
  | 'nextEntryId'
>;

/** What resume does for a best-effort report (segment-files.ts `openTail`). */
function planFor(report: ReplayReport): Plan {
  const common = {
    reason: report.reason,
    segmentId: report.segmentId ?? null,
    path: report.path ?? null,
    bytesDropped: report.bytesDropped,
    entriesKept: report.entriesReplayed,
    lastEntryId: report.lastEntryId ?? null,
    nextEntryId: report.nextEntryId ?? null,
  };
  if (report.reason === 'clean-end') return { ...common, action: 'none', truncateTo: null };
  if (report.reason === 'torn-segment-header') return { ...common, action: 'reset-header', truncateTo: 0 };
  return { ...common, action: 'truncate', truncateTo: report.offset };
}

function emptyPlan(report: ReplayReport | undefined): Plan {
  return {
    reason: report?.reason ?? null,
    action: 'none',
    segmentId: null,
    path: null,
    truncateTo: null,
    bytesDropped: 0,
    entriesKept: 0,
    lastEntryId: null,
    nextEntryId: null,
  };
}
