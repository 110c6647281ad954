import { type ReplayMode, TornTailError } from '@durability/core';
import { ExitCode } from '../exit-codes.js';
import type { ScanResult } from './scan-wal.js';

/**
 * What a scan says about a WAL, independent of mode:
 * - `clean`: every byte of every segment belongs to a valid frame;
 * - `torn-tail`: only the end of the final segment is damaged the way a crash leaves it (`torn-tail`,
 *   `zero-filled-tail` or `torn-segment-header` in the report): best-effort replay and `repair` drop it;
 * - `corrupt`: anything else (checksum mismatch with non-zero bytes, id gap, damage in a non-final
 *   segment, undecodable payload, a bad checkpoint). Never repaired away.
 */
export type WalStatus = 'clean' | 'torn-tail' | 'corrupt';

export function walStatus(scan: ScanResult): WalStatus {
  if (scan.damage !== undefined) return TornTailError.is(scan.damage) ? 'torn-tail' : 'corrupt';
  if (scan.report && scan.report.reason !== 'clean-end') return 'torn-tail';
  return 'clean';
}

/**
 * The exit code of a verdict: `strict` fails a torn tail (1), as strict replay would; `best-effort`
 * accepts it (0), as best-effort recovery would. Corruption is 2 in both modes.
 */
export function exitCodeForStatus(status: WalStatus, mode: ReplayMode): ExitCode {
  if (status === 'corrupt') return ExitCode.CORRUPTION;
  if (status === 'torn-tail' && mode === 'strict') return ExitCode.TORN_TAIL;
  return ExitCode.OK;
}
