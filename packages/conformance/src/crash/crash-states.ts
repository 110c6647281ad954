import { applyChanges, type CrashPoint, type FileNode } from './file-model.js';
import { below, type Random } from './prng.js';

/**
 * The crash models (ARCHITECTURE §7) as generators of post-crash storage states.
 *
 * - `fs` (power loss): unsynced appended bytes are lost, cut at any 512-byte sector boundary or at any
 *   byte within the last 64 bytes of the write, and the rest of the file's grown length may be
 *   garbage-filled, or zero-filled from a sector boundary or from the end of the synced data; unsynced creates, renames and deletes are lost in any combination;
 *   synced data and synced entries survive; a rename is atomic. Process crashes are also explored.
 * - `objectStore`: every completed PUT (a writer's flush, `atomicWrite`, `createExclusive`) and DELETE is
 *   atomic and durable; unflushed writer bytes are lost; a multi-step call can stop between its steps:
 *   `rename` = copy then delete, `truncate` = rewrite the tail then remove the parts behind it (the file
 *   reads as its old content, a prefix of it cut at a part boundary, or the new content), `delete` of a
 *   directory = one DELETE per file. (The request-level version of this model is tested in the
 *   object-store backend's own tests.)
 * - `memory`: a process crash between calls: every flushed byte survives, unflushed writer bytes may be
 *   lost.
 */
export type CrashModel = 'fs' | 'objectStore' | 'memory';

export const SECTOR_BYTES = 512;
/** Within this many bytes of the end of a write, every byte is a possible cut. */
export const TAIL_BYTES = 64;

/** One storage state that may survive a crash. */
export interface CrashState {
  /** How this state arises, for failure messages. */
  readonly label: string;
  /** `process`: a crash of the process (flushed data survives); `power`: a power loss. */
  readonly kind: 'process' | 'power';
  readonly files: ReadonlyMap<string, Uint8Array>;
  readonly dirs: readonly string[];
  /** Some bytes are garbage: recovery may fail loudly (a typed error) instead of returning a prefix. */
  readonly garbage: boolean;
  /**
   * Always checked, whatever the state budget: process-crash and worst-case power-loss states, and torn
   * variants cut where the synced data ends, at a sector boundary or at the write's end. Byte-level cuts
   * and random images are sampled when the budget is smaller than the state space.
   */
  readonly essential: boolean;
}

type Fill = 'lost' | 'zero' | 'garbage';

interface Content {
  bytes: Uint8Array;
  garbage: boolean;
  note: string | undefined;
  /** False for a byte-level cut or a garbage fill (sampled under a budget). */
  essential?: boolean;
}

function commonPrefix(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

function garbageBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = 1 + ((x >>> 0) % 255);
  }
  return out;
}

/** `data` cut at `cut`, the rest of its length filled as `fill`. */
function cutContent(data: Uint8Array, cut: number, fill: Fill, seed: number): Content {
  if (fill === 'lost' || cut >= data.length) {
    return { bytes: data.slice(0, cut), garbage: false, note: `cut at ${cut}` };
  }
  const bytes = new Uint8Array(data.length);
  bytes.set(data.subarray(0, cut));
  if (fill === 'garbage') bytes.set(garbageBytes(data.length - cut, seed + cut), cut);
  return { bytes, garbage: fill === 'garbage', note: `cut at ${cut}, ${fill}-filled to ${data.length}` };
}

/**
 * Zeros can only start where a whole sector was lost: at a sector boundary, or where the synced data
 * ends (the rest of that sector was zero on disk). A zero run starting mid-sector after new bytes would
 * need a partially written sector, which sector-atomic disks do not produce (and which core's torn-write
 * rule, `hasZeroSector`, rightly classes as corruption).
 */
function zeroFillable(cut: number, base: number): boolean {
  return cut === base || cut % SECTOR_BYTES === 0;
}

/** Cut points for unsynced bytes `[from, to)`: `from`, every sector boundary, every byte of the last 64. */
export function cutPoints(from: number, to: number): number[] {
  const cuts = new Set<number>([from]);
  for (let s = Math.ceil((from + 1) / SECTOR_BYTES) * SECTOR_BYTES; s < to; s += SECTOR_BYTES) cuts.add(s);
  for (let c = Math.max(from, to - TAIL_BYTES); c <= to; c++) cuts.add(c);
  return [...cuts].sort((a, b) => a - b);
}

/** Every power-loss content of `node` whose cut falls in `[start, end]` (all torn variants of a write). */
function tornContents(node: FileNode, start: number, end: number, seed: number): Content[] {
  const base = commonPrefix(node.synced, node.data);
  const out: Content[] = [];
  for (const cut of cutPoints(Math.max(base, start), Math.min(end, node.data.length))) {
    for (const fill of ['lost', 'zero', 'garbage'] as const) {
      if (fill !== 'lost' && cut >= node.data.length) continue;
      if (fill === 'zero' && !zeroFillable(cut, base)) continue;
      const essential = fill !== 'garbage' && (cut === base || cut === end || cut % SECTOR_BYTES === 0);
      out.push({ ...cutContent(node.data, cut, fill, seed), essential });
    }
  }
  return out;
}

/** A random power-loss content of `node`. */
function randomContent(node: FileNode, random: Random): Content {
  const base = commonPrefix(node.synced, node.data);
  if (base === node.data.length && base === node.synced.length)
    return { bytes: node.data, garbage: false, note: undefined };
  const choice = below(random, 8);
  if (choice === 0 || base >= node.data.length)
    return { bytes: node.synced, garbage: false, note: 'only synced bytes' };
  if (choice === 1) return { bytes: node.data, garbage: false, note: 'every byte' };
  const span = node.data.length - base;
  const cut = choice < 5 ? base + below(random, span + 1) : pick(cutPoints(base, node.data.length), random);
  const fills: Fill[] = zeroFillable(cut, base) ? ['lost', 'zero', 'garbage'] : ['lost', 'garbage'];
  const fill = fills[below(random, fills.length)]!;
  return cutContent(node.data, cut, fill, random());
}

function pick<T>(items: readonly T[], random: Random): T {
  return items[below(random, items.length)]!;
}

function stateOf(
  point: CrashPoint,
  label: string,
  kind: CrashState['kind'],
  namespace: ReadonlyMap<string, number>,
  content: (node: FileNode, path: string) => Content,
  essential = true,
): CrashState {
  const files = new Map<string, Uint8Array>();
  const notes: string[] = [];
  let garbage = false;
  for (const [path, id] of [...namespace].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const chosen = content(point.nodes.get(id)!, path);
    files.set(path, chosen.bytes);
    garbage ||= chosen.garbage;
    if (chosen.essential === false) essential = false;
    if (chosen.note) notes.push(`${path}: ${chosen.note}`);
  }
  const full = notes.length > 0 ? `${label} [${notes.join('; ')}]` : label;
  return { label: full, kind, files, dirs: point.dirs, garbage, essential };
}

const flushedOnly = (node: FileNode): Content => ({
  bytes: node.data.slice(0, node.flushed),
  garbage: false,
  note: undefined,
});
const everyByte = (node: FileNode): Content => ({ bytes: node.data, garbage: false, note: undefined });
const syncedOnly = (node: FileNode): Content => ({ bytes: node.synced, garbage: false, note: undefined });

/** A process crash: the visible namespace, with and without the bytes not yet flushed. */
export function processStates(point: CrashPoint): CrashState[] {
  return [
    stateOf(point, 'process crash (flushed bytes only)', 'process', point.visible, flushedOnly),
    stateOf(point, 'process crash (every written byte)', 'process', point.visible, everyByte),
  ];
}

/** The deterministic power-loss states of a crash point under the fs model. */
export function fsPowerStates(point: CrashPoint, seed: number): CrashState[] {
  const states = [
    stateOf(point, 'power loss (synced entries, synced bytes)', 'power', point.durable, syncedOnly),
  ];
  const applied = new Map(point.durable);
  applyChanges(applied, point.pending);
  states.push(stateOf(point, 'power loss (every entry change, synced bytes)', 'power', applied, syncedOnly));
  const last = point.lastWrite;
  if (last) {
    const torn = point.nodes.get(last.node)!;
    for (const variant of tornContents(torn, last.start, last.end, seed)) {
      states.push(
        stateOf(point, 'power loss (torn last write)', 'power', applied, (node) =>
          node.id === torn.id ? { ...variant, note: `torn write: ${variant.note}` } : everyByte(node),
        ),
      );
    }
  }
  return states;
}

/** A random power-loss image at `point`: any subset of unsynced entry changes, any unsynced bytes. */
export function fsRandomState(point: CrashPoint, random: Random): CrashState {
  const namespace = new Map(point.durable);
  const kept = point.pending.filter(() => below(random, 2) === 0);
  applyChanges(namespace, kept);
  const lost = point.pending.length - kept.length;
  return stateOf(
    point,
    `power loss (random image, ${lost} of ${point.pending.length} unsynced entry changes lost)`,
    'power',
    namespace,
    (node) => randomContent(node, random),
    false,
  );
}

/** States where the object-store call a crash interrupts stopped between two of its requests. */
export function objectStoreStepStates(point: CrashPoint): CrashState[] {
  const next = point.next;
  if (!next) return [];
  const visible = point.visible;
  if (next.op === 'rename' && visible.has(next.from)) {
    // copied, not yet deleted: both names hold the source's flushed content
    const namespace = new Map(visible);
    for (const path of [...namespace.keys()])
      if (path === next.to || path.startsWith(`${next.to}/`)) namespace.delete(path);
    for (const [path, id] of visible) {
      if (path === next.from || path.startsWith(`${next.from}/`))
        namespace.set(next.to + path.slice(next.from.length), id);
    }
    return [
      stateOf(
        point,
        `object store: ${next.from} copied to ${next.to}, not yet deleted`,
        'process',
        namespace,
        flushedOnly,
      ),
    ];
  }
  if (next.op === 'delete') {
    const doomed = [...visible.keys()].filter((p) => p.startsWith(`${next.path}/`)).sort();
    const out: CrashState[] = [];
    for (let k = 1; k < doomed.length; k++) {
      const namespace = new Map(visible);
      for (const path of doomed.slice(0, k)) namespace.delete(path);
      out.push(
        stateOf(
          point,
          `object store: delete of ${next.path} stopped after ${k} of ${doomed.length} objects`,
          'process',
          namespace,
          flushedOnly,
        ),
      );
    }
    return out;
  }
  if (next.op === 'truncate' && visible.has(next.path)) {
    const id = visible.get(next.path)!;
    const node = point.nodes.get(id)!;
    const out: CrashState[] = [];
    for (const end of node.parts) {
      if (end <= next.length || end >= node.flushed) continue;
      out.push(
        stateOf(
          point,
          `object store: truncate of ${next.path} stopped at part end ${end}`,
          'process',
          visible,
          (n) =>
            n.id === id ? { bytes: n.data.slice(0, end), garbage: false, note: undefined } : flushedOnly(n),
        ),
      );
    }
    return out;
  }
  return [];
}
