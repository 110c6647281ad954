import type { DumpResult } from '../commands/dump.js';
import type { InspectResult } from '../commands/inspect.js';
import type { RepairResult } from '../commands/repair.js';
import type { VerifyResult } from '../commands/verify.js';
import type { ErrorSummary } from '../error-summary.js';
import type { CheckpointCheck } from '../scan/checkpoints.js';
import type { LockInfo } from '../scan/lock-owner.js';

/** Plain-text renderings of the command results (what the CLI prints without `--json`). */

const n = (value: number): string => value.toLocaleString('en-US');

function range(first: number | null, last: number | null): string {
  if (first === null) return '-';
  if (last === null || last < first) return `none (next ${first})`;
  return first === last ? `${first}` : `${first}..${last}`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => `  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd());
}

/** `CODE: message` with the location facts already in the message. */
export function formatError(error: ErrorSummary): string {
  return `${error.code}: ${error.message}`;
}

export function formatLock(lock: LockInfo | null): string {
  if (!lock) return 'lock: none (no writer holds wal/.lock)';
  if (lock.status === 'unreadable') return `lock: ${lock.path} is unreadable: ${JSON.stringify(lock.raw)}`;
  const who = `pid ${lock.pid ?? '?'} on host ${lock.hostname ?? '?'} since ${lock.createdAt ?? '?'}`;
  const verdict = {
    live: 'process alive: a writer is running',
    stale: 'process gone: stale, the next writer takes it over',
    unknown: 'another host: liveness unknown',
  }[lock.status];
  return `lock: ${who} (${verdict})`;
}

function checkpointLine(check: CheckpointCheck): string[] {
  const id = check.lastAppliedId === undefined ? '' : `last_applied_id ${check.lastAppliedId}`;
  const size = check.bytes === undefined ? '' : `${n(check.bytes)} B`;
  const verdict =
    check.status === 'ok' ? 'ok' : `${check.status}${check.error ? `: ${check.error.message}` : ''}`;
  return [check.path, id, size, verdict];
}

export function formatInspect(result: InspectResult): string {
  const lines = [`WAL ${result.location} (${result.backend}): ${result.status}`];
  const { entries } = result;
  lines.push(
    `segments: ${result.segments.length}, ${n(result.totalBytes)} bytes; entries: ${n(entries.count)} (${range(entries.firstEntryId, entries.lastEntryId)}), next id ${entries.nextEntryId ?? '?'}`,
  );
  if (result.segments.length > 0) {
    const rows = [['segment', 'entries', 'count', 'bytes', 'path']];
    for (const s of result.segments) {
      rows.push([
        String(s.segmentId),
        range(s.firstEntryId, s.lastEntryId),
        s.entries === null ? '?' : n(s.entries),
        n(s.bytes),
        s.path,
      ]);
    }
    lines.push(...table(rows));
  }
  const tail = result.tail;
  if (tail && tail.segmentId !== null) {
    lines.push(
      tail.reason === 'clean-end'
        ? `tail: segment ${tail.segmentId} ends cleanly at ${n(tail.validBytes)} bytes`
        : `tail: segment ${tail.segmentId} ends in a ${tail.reason} at offset ${n(tail.validBytes)}; ${n(tail.bytesDropped)} bytes after it are dropped by replay (durability repair removes them)`,
    );
  }
  if (result.checkpoints.length === 0) lines.push('checkpoints: none in checkpoints/');
  else lines.push('checkpoints:', ...table(result.checkpoints.map(checkpointLine)));
  const latest = result.markers.latest;
  lines.push(
    latest
      ? `markers: ${result.markers.count}; latest at entry ${latest.entryId}: ${latest.checkpointPath} covers entries ≤ ${latest.lastEntryId}`
      : `markers: none`,
  );
  lines.push(formatLock(result.lock));
  if (result.damage) lines.push(`damage: ${formatError(result.damage)}`);
  return lines.join('\n');
}

export function formatVerify(result: VerifyResult): string {
  const lines: string[] = [];
  const { entries } = result;
  const counted = `${n(entries.count)} entries (${range(entries.firstEntryId, entries.lastEntryId)})`;
  const report = result.report;
  if (result.damage) {
    lines.push(`CORRUPT: ${formatError(result.damage)}`);
    lines.push(`  ${counted} verified before it. Corruption is never repaired automatically.`);
  } else if (report && report.reason !== 'clean-end') {
    const label = result.mode === 'strict' ? 'TORN TAIL' : 'OK (best-effort)';
    lines.push(
      `${label}: segment ${report.segmentId} (${report.path}) ends in a ${report.reason} at offset ${n(report.offset)}: ${n(report.bytesDropped)} bytes dropped`,
    );
    lines.push(
      `  ${counted} valid in ${report.segmentCount} segment(s). \`durability repair\` truncates the tail.`,
    );
  } else {
    lines.push(
      `${result.status === 'corrupt' ? 'CORRUPT' : 'OK'}: ${counted} in ${report?.segmentCount ?? 0} segment(s), ${n(result.totalBytes)} bytes, clean end`,
    );
  }
  for (const check of result.checkpoints) {
    const role = check.latest ? 'latest' : 'older';
    lines.push(
      `checkpoint (${role}, marker at entry ${check.markerEntryId}): ${checkpointLine(check).filter(Boolean).join('  ')}`,
    );
  }
  for (const problem of result.problems) lines.push(`problem: ${formatError(problem)}`);
  for (const warning of result.warnings) lines.push(`warning: ${warning}`);
  lines.push(`mode ${result.mode}: exit ${result.exitCode}`);
  return lines.join('\n');
}

export function formatRepair(result: RepairResult): string {
  const lines: string[] = [];
  if (result.damage) {
    lines.push(`CORRUPT: ${formatError(result.damage)}`);
    lines.push(
      '  nothing changed: corruption is never repaired (inspect the WAL and restore from a backup).',
    );
    return lines.join('\n');
  }
  if (result.action === 'none') {
    lines.push(`nothing to repair: the WAL ends cleanly (${n(result.entriesKept)} entries).`);
    return lines.join('\n');
  }
  const segment = `segment ${result.segmentId} (${result.path})`;
  const what =
    result.action === 'reset-header'
      ? `the torn header of ${segment}: truncate to 0 and write a fresh header`
      : `${segment}: truncate to ${n(result.truncateTo ?? 0)} bytes`;
  const facts = `${result.reason}: ${n(result.bytesDropped)} bytes dropped; ${n(result.entriesKept)} entries kept (last ${result.lastEntryId ?? 'none'}), next id ${result.nextEntryId ?? '?'}`;
  if (result.dryRun) {
    lines.push(`would repair ${what}`, `  ${facts}`, '  (dry run: nothing changed)');
    if (result.lock?.status === 'live')
      lines.push(`  note: ${formatLock(result.lock)}; repair would be refused`);
  } else {
    lines.push(`repaired ${what}`, `  ${facts}`);
    if (result.lockTakeover) lines.push(`  ${result.lockTakeover.message}`);
  }
  return lines.join('\n');
}

/** The line `dump` prints on stderr after the entries. */
export function formatDumpSummary(result: DumpResult): string {
  const lines = [
    `dumped ${n(result.entriesWritten)} entries (${range(result.firstEntryId, result.lastEntryId)})${result.stoppedAtTo ? `; stopped at --to ${result.to}` : ''}`,
  ];
  const report = result.report;
  if (result.damage) lines.push(`CORRUPT: ${formatError(result.damage)}`);
  else if (report && report.reason !== 'clean-end' && !result.stoppedAtTo) {
    lines.push(
      `${result.mode === 'strict' ? 'TORN TAIL' : 'note'}: segment ${report.segmentId} ends in a ${report.reason} at offset ${n(report.offset)}; ${n(report.bytesDropped)} bytes not dumped`,
    );
  }
  return lines.join('\n');
}
