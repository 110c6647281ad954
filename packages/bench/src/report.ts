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
