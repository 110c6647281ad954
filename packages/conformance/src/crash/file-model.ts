import { parentPath } from '@durability/core';
import type { MicroOp } from './micro-ops.js';
import type { Recording } from './recording-directory.js';

/**
 * A model of storage that replays recorded micro-operations and says, at every crash point, what is
 * visible and what is on stable storage. It follows the `Directory` contract, not any one backend.
 *
 * - A file is a node (an inode): `data` is its visible content, `flushed` how much of it was handed to
 *   the backend (`flush`), `synced` its content at the last `fsync` (what power loss keeps), `parts` the
 *   length after each flush (an object store's part boundaries).
 * - Two namespaces map paths to nodes: `visible` (now) and `durable` (what a power loss keeps). Creates,
 *   renames and deletes change `visible` and are queued as `pending` namespace changes; `dirsync(d)` makes
 *   `durable`'s entries in `d` equal to `visible`'s and settles the pending changes of `d`.
 * - `replace` (atomicWrite, createExclusive) makes a node whose whole content is already durable: after a
 *   crash it is there in full or not at all; only its entry may be lost.
 * - Directories are durable once created (a backend with `durableSync` makes directories it creates
 *   durable before the call resolves).
 */

export interface FileNode {
  readonly id: number;
  readonly data: Uint8Array;
  readonly flushed: number;
  readonly synced: Uint8Array;
  readonly parts: readonly number[];
}

/** A namespace change not yet made durable by a directory sync of every directory it touches. */
export type NamespaceChange =
  | { readonly kind: 'link'; readonly path: string; readonly node: number; readonly dirs: Set<string> }
  | { readonly kind: 'unlink'; readonly path: string; readonly dirs: Set<string> }
  | { readonly kind: 'rename'; readonly from: string; readonly to: string; readonly dirs: Set<string> };

/** Storage as the model sees it after the first `index` micro-operations. */
export interface CrashPoint {
  readonly index: number;
  /** The micro-operation a crash here prevents (or interrupts); `undefined` at the end. */
  readonly next: MicroOp | undefined;
  readonly visible: ReadonlyMap<string, number>;
  readonly durable: ReadonlyMap<string, number>;
  readonly pending: readonly NamespaceChange[];
  readonly nodes: ReadonlyMap<number, FileNode>;
  readonly dirs: readonly string[];
  /** The most recent `write`, when its bytes are not all synced yet. */
  readonly lastWrite: { readonly node: number; readonly start: number; readonly end: number } | undefined;
  /** Highest entry id promised to survive a process crash / a power loss at this point. */
  readonly ackFlushed: number;
  readonly ackDurable: number;
  /** When set, recovery must return exactly this many entries here. */
  readonly exact: { entries: number; what: string } | undefined;
}

const under = (path: string, root: string): boolean => path === root || path.startsWith(`${root}/`);

function ancestors(path: string): string[] {
  const out: string[] = [];
  for (let dir = parentPath(path); dir !== ''; dir = parentPath(dir)) out.push(dir);
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Replays a recording and returns the crash point after every prefix of its micro-operations. */
export function crashPoints(recording: Recording): CrashPoint[] {
  const model = new StorageModel(recording.initialFiles);
  const points: CrashPoint[] = [];
  const ops = recording.ops;
  for (let i = 0; i <= ops.length; i++) {
    points.push(model.snapshot(i, ops[i], recording));
    if (i < ops.length) model.apply(ops[i]!);
  }
  return points;
}

class StorageModel {
  private readonly nodes = new Map<number, FileNode>();
  private readonly visible = new Map<string, number>();
  private readonly durable = new Map<string, number>();
  private pending: NamespaceChange[] = [];
  private readonly dirs = new Set<string>();
  private nextNode = 1;
  private lastWrite: { node: number; start: number; end: number } | undefined;

  constructor(initial: ReadonlyMap<string, Uint8Array>) {
    for (const [path, bytes] of initial) {
      const node = this.newNode(bytes, true);
      this.visible.set(path, node);
      this.durable.set(path, node);
      for (const dir of ancestors(path)) this.dirs.add(dir);
    }
  }

  snapshot(index: number, next: MicroOp | undefined, recording: Recording): CrashPoint {
    let ackFlushed = 0;
    let ackDurable = 0;
    for (const ack of recording.acks) {
      if (ack.afterOps > index) continue;
      ackFlushed = Math.max(ackFlushed, ack.entryId);
      if (ack.level === 'durable') ackDurable = Math.max(ackDurable, ack.entryId);
    }
    const window = recording.windows.find((w) => w.fromOps <= index && index <= w.toOps);
    const last = this.lastWrite;
    const lastNode = last ? this.nodes.get(last.node) : undefined;
    const unsynced = lastNode !== undefined && last !== undefined && lastNode.synced.length < last.end;
    return {
      index,
      next,
      visible: new Map(this.visible),
      durable: new Map(this.durable),
      pending: this.pending.map((change) => ({ ...change, dirs: new Set(change.dirs) })),
      nodes: new Map(this.nodes),
      dirs: [...this.dirs].sort(),
      lastWrite: unsynced ? last : undefined,
      ackFlushed,
      ackDurable,
      exact: window ? { entries: window.entries, what: window.what } : undefined,
    };
  }

  apply(op: MicroOp): void {
    switch (op.op) {
      case 'create': {
        const id = this.visible.get(op.path);
        if (id !== undefined) this.update(id, { data: new Uint8Array(0), flushed: 0, parts: [] });
        else this.link(op.path, this.newNode(new Uint8Array(0), false));
        return;
      }
      case 'open':
        if (!this.visible.has(op.path)) this.link(op.path, this.newNode(new Uint8Array(0), false));
        return;
      case 'write': {
        const id = this.nodeAt(op.path);
        const node = this.nodes.get(id)!;
        this.update(id, { data: concat(node.data, op.bytes) });
        this.lastWrite = { node: id, start: node.data.length, end: node.data.length + op.bytes.length };
        return;
      }
      case 'flush': {
        const id = this.nodeAt(op.path);
        const node = this.nodes.get(id)!;
        if (node.flushed !== node.data.length) {
          this.update(id, { flushed: node.data.length, parts: [...node.parts, node.data.length] });
        }
        return;
      }
      case 'fsync': {
        const id = this.nodeAt(op.path);
        const node = this.nodes.get(id)!;
        this.update(id, { synced: node.data, flushed: node.data.length });
        return;
      }
      case 'dirsync':
        this.syncDir(op.dir);
        return;
      case 'truncate': {
        const id = this.nodeAt(op.path);
        const node = this.nodes.get(id)!;
        const parts = node.parts.filter((end) => end < op.length);
        this.update(id, {
          data: node.data.slice(0, op.length),
          flushed: Math.min(node.flushed, op.length),
          parts: [...parts, op.length],
        });
        return;
      }
      case 'delete':
        for (const path of [...this.visible.keys()]) if (under(path, op.path)) this.visible.delete(path);
        for (const dir of [...this.dirs]) if (under(dir, op.path)) this.dirs.delete(dir);
        this.pending.push({ kind: 'unlink', path: op.path, dirs: new Set([parentPath(op.path)]) });
        return;
      case 'rename': {
        for (const path of [...this.visible.keys()]) if (under(path, op.to)) this.visible.delete(path);
        for (const [path, node] of [...this.visible]) {
          if (!under(path, op.from)) continue;
          this.visible.delete(path);
          this.visible.set(op.to + path.slice(op.from.length), node);
        }
        for (const dir of ancestors(op.to)) this.dirs.add(dir);
        this.pending.push({
          kind: 'rename',
          from: op.from,
          to: op.to,
          dirs: new Set([parentPath(op.from), parentPath(op.to)]),
        });
        return;
      }
      case 'replace':
        this.link(op.path, this.newNode(op.bytes, true));
        return;
      case 'mkdir':
        if (op.dir !== '') for (const dir of [op.dir, ...ancestors(op.dir)]) this.dirs.add(dir);
        return;
    }
  }

  private newNode(bytes: Uint8Array, durable: boolean): number {
    const id = this.nextNode++;
    this.nodes.set(id, {
      id,
      data: bytes,
      flushed: bytes.length,
      synced: durable ? bytes : new Uint8Array(0),
      parts: bytes.length > 0 ? [bytes.length] : [],
    });
    return id;
  }

  private update(id: number, change: Partial<Omit<FileNode, 'id'>>): void {
    this.nodes.set(id, { ...this.nodes.get(id)!, ...change });
  }

  private nodeAt(path: string): number {
    const id = this.visible.get(path);
    if (id === undefined) throw new Error(`crash model: ${path} was written but is not in the namespace`);
    return id;
  }

  private link(path: string, node: number): void {
    this.visible.set(path, node);
    for (const dir of ancestors(path)) this.dirs.add(dir);
    this.pending.push({ kind: 'link', path, node, dirs: new Set([parentPath(path)]) });
  }

  /** `fsync` of directory `dir`: its durable entries become its visible ones (a removed subdirectory's files go). */
  private syncDir(dir: string): void {
    for (const path of [...this.durable.keys()]) {
      if (parentPath(path) === dir && !this.visible.has(path)) this.durable.delete(path);
      else if (dir === '' || path.startsWith(`${dir}/`)) {
        const child =
          dir === '' ? path.split('/')[0]! : `${dir}/${path.slice(dir.length + 1).split('/')[0]!}`;
        if (child !== path && !this.dirs.has(child)) this.durable.delete(path);
      }
    }
    for (const [path, node] of this.visible) if (parentPath(path) === dir) this.durable.set(path, node);
    for (const change of this.pending) change.dirs.delete(dir);
    this.pending = this.pending.filter((change) => change.dirs.size > 0);
  }
}

/** Applies namespace changes, in order, to a namespace (a change whose source is gone does nothing). */
export function applyChanges(namespace: Map<string, number>, changes: readonly NamespaceChange[]): void {
  for (const change of changes) {
    if (change.kind === 'link') namespace.set(change.path, change.node);
    else if (change.kind === 'unlink') {
      for (const path of [...namespace.keys()]) if (under(path, change.path)) namespace.delete(path);
    } else {
      const moved = [...namespace].filter(([path]) => under(path, change.from));
      if (moved.length === 0) continue;
      for (const path of [...namespace.keys()]) if (under(path, change.to)) namespace.delete(path);
      for (const [path, node] of moved) {
        namespace.delete(path);
        namespace.set(change.to + path.slice(change.from.length), node);
      }
    }
  }
}
