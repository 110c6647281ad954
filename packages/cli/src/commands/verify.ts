import {
  baseName,
  type CheckpointMarker,
  parseCheckpointFileName,
  type ReplayMode,
  type ReplayReport,
} from '@durability/core';
import { type ErrorSummary, summarizeError } from '../error-summary.js';
import type { ExitCode } from '../exit-codes.js';
import type { OpenedDirectory } from '../open-directory.js';
import { type ProgressSink, withProgress } from '../progress.js';
import { type CheckpointListing, checkCheckpoint } from '../scan/checkpoints.js';
import { readLockOwner } from '../scan/lock-owner.js';
import { type ScanResult, scanWal } from '../scan/scan-wal.js';
import { listSegmentFiles, totalBytes } from '../scan/segment-files.js';
import { exitCodeForStatus, type WalStatus, walStatus } from '../scan/verdict.js';

export interface VerifyOptions {
  /** `strict` (default): a torn tail fails (exit 1). `best-effort`: a torn tail is accepted (exit 0). */
  mode?: ReplayMode;
  /**
   * Decode every payload as CBOR (default true): an undecodable payload is corruption, and checkpoint
   * markers are found and their checkpoints verified. False for WALs written with a custom codec.
   */
  decode?: boolean;
  progress?: ProgressSink;
}

/**
 * A checkpoint named by a marker in the WAL, and what verifying it found: the fields of `inspect`'s
 * listing (`nameLastAppliedId` when the file name is conventional), its header checked against the marker.
 */
export interface MarkerCheckpointCheck extends CheckpointListing {
  /** The entry id of the newest marker naming this file. */
  markerEntryId: number;
  /** True for the newest marker's checkpoint: the one recovery starts from. */
  latest: boolean;
}

/** What `durability verify` reports (its `--json` document). */
export interface VerifyResult {
  command: 'verify';
  location: string;
  backend: string;
  mode: ReplayMode;
  /** The verdict: `corrupt` when the scan hit damage or a checkpoint/coverage check failed. */
  status: WalStatus;
  /** 0 clean (or a torn tail in best-effort mode), 1 torn tail in strict mode, 2 corruption. */
  exitCode: ExitCode;
  /** Where and why the scan stopped; `null` when damage stopped it (see `damage`). `mode` is the requested one. */
  report: ReplayReport | null;
  entries: { count: number; firstEntryId: number | null; lastEntryId: number | null };
  /** Frame bytes read (headers and payloads). */
  bytesScanned: number;
  /** Segment files' total size. */
  totalBytes: number;
  /** The damage that stopped the scan: code, message, path, segment, offset, expected, actual. */
  damage: ErrorSummary | null;
  /** Checkpoints named by markers in the WAL (each path once). */
  checkpoints: MarkerCheckpointCheck[];
  /** Failed checkpoint and coverage checks (each makes the status `corrupt`). */
  problems: ErrorSummary[];
  /** Findings that are not errors (e.g. a WAL prefix without a marker, under a custom checkpoint scheme). */
  warnings: string[];
}

/**
 * Scans the whole WAL (every frame checked: header and frame CRCs, contiguous segment and entry ids,
 * caps; payloads decoded as CBOR unless `decode: false`), then verifies the checkpoint files named by
 * its markers and that the newest marker covers every entry missing before the WAL's first one (the
 * coverage rule of `recoverWithWal`). Reads only.
 */
export async function verifyWal(target: OpenedDirectory, options: VerifyOptions = {}): Promise<VerifyResult> {
  const mode = options.mode ?? 'strict';
  const { dir } = target;
  const files = await listSegmentFiles(dir);
  const total = totalBytes(files);
  const scan = await withProgress(options.progress, total, (update) =>
    scanWal(dir, { decode: options.decode ?? true, onProgress: update }),
  );

  const problems: ErrorSummary[] = [];
  const warnings: string[] = [];
  const checkpoints = await checkMarkedCheckpoints(target, scan.markers, problems);
  if (scan.damage === undefined) checkCoverage(scan, options.decode ?? true, problems, warnings);

  const scanStatus = walStatus(scan);
  const lock = await readLockOwner(dir);
  if (scanStatus === 'torn-tail' && lock?.status === 'live') {
    warnings.push(
      `a live writer (pid ${lock.pid} on ${lock.hostname}) holds the lock: the tail may be an append in flight, not a torn write`,
    );
  }
  const status: WalStatus = problems.length > 0 ? 'corrupt' : scanStatus;
  return {
    command: 'verify',
    location: target.location,
    backend: target.backend,
    mode,
    status,
    exitCode: exitCodeForStatus(status, mode),
    report: scan.report ? { ...scan.report, mode } : null,
    entries: {
      count: scan.entries,
      firstEntryId: scan.firstEntryId ?? null,
      lastEntryId: scan.lastEntryId ?? null,
    },
    bytesScanned: scan.bytesScanned,
    totalBytes: total,
    damage: scan.damage === undefined ? null : summarizeError(scan.damage),
    checkpoints,
    problems,
    warnings,
  };
}

/**
 * Verifies each checkpoint a marker names. The newest marker's must exist and be valid: recovery starts
 * there. An older one may be gone (a publisher deletes superseded checkpoints), but if present it must
 * be valid. Every one must hold the `last_applied_id` its marker states.
 */
async function checkMarkedCheckpoints(
  target: OpenedDirectory,
  markers: readonly CheckpointMarker[],
  problems: ErrorSummary[],
): Promise<MarkerCheckpointCheck[]> {
  const newestByPath = new Map<string, CheckpointMarker>();
  for (const marker of markers) newestByPath.set(marker.checkpointPath, marker);
  const latest = markers.at(-1);
  const checks: MarkerCheckpointCheck[] = [];
  for (const marker of newestByPath.values()) {
    const check = await checkCheckpoint(target.dir, marker.checkpointPath, marker.lastEntryId);
    const nameLastAppliedId = parseCheckpointFileName(baseName(marker.checkpointPath));
    const isLatest = marker === latest;
    checks.push({
      ...check,
      ...(nameLastAppliedId === undefined ? {} : { nameLastAppliedId }),
      markerEntryId: marker.entryId,
      latest: isLatest,
    });
    if (check.status === 'missing' && !isLatest) continue;
    if (check.status !== 'ok' && check.error) {
      problems.push({
        ...check.error,
        message: `checkpoint named by the marker at entry ${marker.entryId}: ${check.error.message}`,
      });
    }
  }
  return checks.sort((a, b) => a.markerEntryId - b.markerEntryId);
}

/** Entries below the WAL's first one must be covered by the newest checkpoint marker. */
function checkCoverage(
  scan: ScanResult,
  decoded: boolean,
  problems: ErrorSummary[],
  warnings: string[],
): void {
  const first = scan.firstEntryId ?? scan.report?.nextEntryId;
  if (first === undefined || first <= 1) return;
  const latest = scan.markers.at(-1);
  if (latest === undefined) {
    warnings.push(
      decoded
        ? `the WAL starts at entry ${first} and holds no checkpoint marker: entries 1..${first - 1} must come from a checkpoint kept elsewhere`
        : `the WAL starts at entry ${first}; markers were not checked (--no-decode)`,
    );
    return;
  }
  if (latest.lastEntryId < first - 1) {
    problems.push({
      code: 'CORRUPTION',
      message: `the WAL starts at entry ${first}, after the newest checkpoint's last_applied_id ${latest.lastEntryId}: entries in between are missing`,
      path: latest.checkpointPath,
      expected: `first WAL entry ≤ ${latest.lastEntryId + 1}`,
      actual: String(first),
    });
  }
}
