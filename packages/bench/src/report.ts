import { RECORD_BYTES } from './records.js';
import type { Sample } from './stats.js';

/**
 * One row of the results table: our number, the raw limit and the best peer doing the same job, the
 * ratios ours/raw and ours/peer (of the row's unit: a ratio above 1 is better when higher is better,
 * below 1 when lower is), and the target it is judged by.
 */
export interface Row {
  section: string;
  name: string;
  unit: string;
  higherIsBetter: boolean;
  ours: Sample;
  raw?: Comparison;
  peers?: Comparison[];
  target?: Target;
  note?: string;
}

export interface Comparison {
  label: string;
  sample: Sample;
}

export interface Target {
  text: string;
  met: boolean;
}

export function bestPeer(row: Row): Comparison | undefined {
  if (!row.peers || row.peers.length === 0) return undefined;
  return row.peers.reduce((best, peer) =>
    row.higherIsBetter === peer.sample.median > best.sample.median ? peer : best,
  );
}

export function ratio(row: Row, other: Comparison | undefined): number | undefined {
  if (!other || other.sample.median === 0) return undefined;
  return row.ours.median / other.sample.median;
}

export function formatNumber(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return `${(value / 1e3).toFixed(0)}k`;
  if (abs >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toFixed(3);
}

export function formatSample(sample: Sample): string {
  if (sample.runs === 1) return formatNumber(sample.median);
  return `${formatNumber(sample.median)} (${formatNumber(sample.min)}–${formatNumber(sample.max)})`;
}

function formatRatio(value: number | undefined): string {
  return value === undefined ? '' : `${value.toFixed(2)}×`;
}

const HEADERS = ['row', 'unit', 'ours', 'raw', 'best peer', 'ours/raw', 'ours/peer', 'target', ''];

function cells(row: Row): string[] {
  const peer = bestPeer(row);
  const verdict = row.target ? (row.target.met ? 'met' : 'MISSED') : '';
  return [
    `${row.section} ${row.name}`,
    `${row.unit}${row.higherIsBetter ? ' ↑' : ' ↓'}`,
    formatSample(row.ours),
    row.raw ? `${formatSample(row.raw.sample)} ${row.raw.label}` : '',
    peer ? `${formatSample(peer.sample)} ${peer.label}` : '',
    formatRatio(ratio(row, row.raw)),
    formatRatio(ratio(row, peer)),
    row.target?.text ?? '',
    verdict,
  ];
}

/** A plain-text table for the terminal, with the notes under it. */
export function renderText(rows: readonly Row[]): string {
  const table = [HEADERS, ...rows.map(cells)];
  const widths = HEADERS.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  const lines = table.map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd(),
  );
  return [...lines, '', ...notes(rows)].join('\n');
}

/** A Markdown table, with notes and the other peers listed under it. */
export function renderMarkdown(rows: readonly Row[]): string {
  const escapeCell = (s: string) => s.replaceAll('|', '\\|');
  const lines = [
    `| ${HEADERS.map(escapeCell).join(' | ')} |`,
    `|${HEADERS.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${cells(row).map(escapeCell).join(' | ')} |`),
  ];
  return [...lines, '', ...notes(rows)].join('\n');
}

/** One line per row that has more than one peer or a note. */
function notes(rows: readonly Row[]): string[] {
  return rows.flatMap((row) => {
    const others = (row.peers ?? []).map((p) => `${p.label} ${formatSample(p.sample)}`);
    const parts = [
      ...(others.length > 1 ? [`peers: ${others.join('; ')}`] : []),
      ...(row.note ? [row.note] : []),
    ];
    return parts.length > 0 ? [`- **${row.section} ${row.name}**: ${parts.join('. ')}`] : [];
  });
}

/** Targets met, and the rows whose target was missed. */
export function targetCounts(rows: readonly Row[]): { met: number; missed: Row[] } {
  return {
    met: rows.filter((r) => r.target?.met).length,
    missed: rows.filter((r) => r.target && !r.target.met),
  };
}

/** BENCHMARKS.md: the machine, the results table, what the rows measure, and the targets missed. */
export function renderReport(
  rows: readonly Row[],
  machine: readonly string[],
  run: { seconds: number; quick: boolean },
): string {
  const { met, missed } = targetCounts(rows);
  const { seconds, quick } = run;
  return [
    '# Benchmarks',
    '',
    `Written by \`pnpm bench\`${quick ? " --quick (reduced sizes: not the issue's 1M/10M rows)" : ''} in ${seconds.toFixed(0)} s, ${new Date().toISOString()}.`,
    `Records: \`{ id, key, value: 64 hex chars }\`, ${RECORD_BYTES} bytes as CBOR (WAL frame: 20-byte header + payload; raw framed log: 8-byte header + payload).`,
    'Every number is the median of the repetitions, with the min–max spread in parentheses; ↑ higher is better, ↓ lower is better.',
    "Ratios are ours ÷ the other in the row's unit (for ↑ rows, above 1 means ours is faster; for ↓ rows, below 1 means ours is lower).",
    '',
    '## Machine',
    '',
    ...machine,
    '',
    '## Results',
    '',
    renderMarkdown(rows),
    '',
    '## What the rows measure',
    '',
    '- **raw framed log**: `len u32 | zlib.crc32 u32 | cbor-x payload` frames, same cbor-x options as the WAL, encoded into a 64 KiB buffer and written with `fs.writeSync` (buffered rows), or `writeSync` + `fdatasyncSync` per 1 or per N records (durable rows); replay reads it with 1 MiB `readSync` chunks, checks each CRC with `zlib.crc32` and decodes with cbor-x.',
    "- **ours**: `@durability/core` `WalWriter`/`WalReader` on `@durability/backend-fs` with default options (64 KiB buffer, 64 MiB segments, default CBOR codec), through the public API only. Rows marked `io: 'blocking'` use `new FsDirectory(root, { io: 'blocking' })` (every file-system call on the calling thread, as the raw loops and SQLite make them); the others use the default thread-pool I/O. Durable appends are `await append(r); await flushAndSync()`; concurrency N means N such loops sharing one writer (group commit).",
    "- **peers**: better-sqlite3 in WAL journal mode (`synchronous = NORMAL`: no fsync per commit; `FULL`: fsync per commit), rows `(id INTEGER PRIMARY KEY, key, value)`; classic-level with CBOR values (`sync: true` fsyncs LevelDB's log per write; LevelDB groups concurrent writers itself).",
    "- Replay and resume rows run in a child process each (peak RSS is that process's `maxRSS`), reading files that were just written (page cache). The 1M-record replays of ours and of the raw log run round-robin, 7 times each; sections 1–3 also run the contenders of a target round-robin.",
    '',
    `## Targets: ${met} met, ${missed.length} missed`,
    '',
    ...(missed.length
      ? missed.map((r) => `- missed: ${r.section} ${r.name} (${r.target!.text})`)
      : ['- all met']),
    '',
  ].join('\n');
}
