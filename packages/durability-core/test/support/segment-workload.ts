import {
  type RecoveredState,
  RecoveryManager,
  SegmentIndex,
  type SegmentIndexCheckpoint,
  type WalEntry,
} from '../../src/index.js';

/**
 * Valid segment-index workloads for recovery tests: `SegmentWorkload.next(choice)` turns any integers into
 * an entry that is a valid transition from the current state, so random integer lists (fast-check, a
 * seeded PRNG) become random valid histories. `ReferenceModel` replays a history without checkpoints.
 */
export class SegmentWorkload {
  private readonly live = new Map<number, number>(); // segmentId → docCount
  private readonly merges = new Map<number, number[]>();
  private nextSegmentId = 1;
  private nextMergeId = 1;

  /** An entry that is valid in the current state; `a`, `b` pick among the options. */
  next(choice: number, a: number, b: number): WalEntry {
    const free = [...this.live.keys()].filter((id) => ![...this.merges.values()].some((m) => m.includes(id)));
    const kind = choice % 6;
    if (this.live.size === 0 || kind === 0) return this.add(1 + (a % 50));
    if (kind === 1 || kind === 2) {
      const ids = [...this.live.keys()];
      const deletes: [number, number][] = [];
      for (let i = 0; i <= b % 3; i++) {
        const segmentId = ids[(a + i) % ids.length]!;
        deletes.push([segmentId, (a * 7 + b * 3 + i) % this.live.get(segmentId)!]);
      }
      return { type: 'DeleteDocuments', deletes };
    }
    if (kind === 3 && free.length > 0) {
      const count = 1 + (a % Math.min(3, free.length));
      const segmentIds = free
        .slice(b % free.length)
        .concat(free)
        .slice(0, count);
      const mergeId = this.nextMergeId++;
      this.merges.set(mergeId, [...new Set(segmentIds)]);
      return { type: 'StartMerge', mergeId, segmentIds: [...new Set(segmentIds)] };
    }
    const pending = [...this.merges.keys()];
    if (kind === 4 && pending.length > 0) {
      const mergeId = pending[a % pending.length]!;
      this.merges.delete(mergeId);
      return { type: 'CancelMerge', mergeId };
    }
    if (kind === 5 && pending.length > 0) {
      const mergeId = pending[a % pending.length]!;
      const inputs = this.merges.get(mergeId)!;
      this.merges.delete(mergeId);
      const docCount = inputs.reduce((n, id) => n + this.live.get(id)!, 0);
      for (const id of inputs) this.live.delete(id);
      const newSegmentId = this.nextSegmentId++;
      this.live.set(newSegmentId, docCount);
      const remappedDeletes: [number, number][] = b % 2 ? [[newSegmentId, a % docCount]] : [];
      // Half the time rely on the StartMerge (possibly behind a checkpoint), half name the inputs.
      return {
        type: 'EndMerge',
        mergeId,
        newSegmentId,
        docCount,
        ...(a % 2 ? { segmentIds: inputs } : {}),
        remappedDeletes,
      };
    }
    return this.add(1 + (b % 50));
  }

  private add(docCount: number): WalEntry {
    const segmentId = this.nextSegmentId++;
    this.live.set(segmentId, docCount);
    return { type: 'AddSegment', segmentId, docCount };
  }
}

/** A history replayed without any checkpoint: the state after every prefix. */
export class ReferenceModel {
  private readonly index = new SegmentIndex();
  /** `states[k]`: the checkpoint state after entries 1..k. */
  readonly states: SegmentIndexCheckpoint[] = [emptyState()];

  get lastEntryId(): number {
    return this.states.length - 1;
  }

  /** Records entry `entryId` (must be the next id). */
  apply(entry: WalEntry, entryId: number): void {
    if (entryId !== this.states.length)
      throw new Error(`reference expects id ${this.states.length}, got ${entryId}`);
    this.index.apply(entry, entryId);
    this.states.push(this.index.toCheckpointState());
  }

  /** The state after entries 1..k, as RecoveryManager returns it. */
  recovered(k: number): RecoveredState {
    const state = this.states[k]!;
    return {
      segments: state.segments.map((s) => ({ ...s, deletedDocs: new Set(s.deletedDocs) })),
      pendingMerges: state.pendingMerges.map((m) => ({ ...m, segmentIds: [...m.segmentIds] })),
      lastEntryId: k,
    };
  }
}

export function emptyState(): SegmentIndexCheckpoint {
  return { segments: [], pendingMerges: [] };
}

/** The comparable content of a recovery result: its checkpoint form and its last entry id. */
export function summary(recovered: RecoveredState): { state: SegmentIndexCheckpoint; lastEntryId: number } {
  return { state: RecoveryManager.toCheckpointState(recovered), lastEntryId: recovered.lastEntryId };
}

/** A small deterministic PRNG (mulberry32) for reproducible workloads. */
export function prng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    return (r ^ (r >>> 14)) >>> 0;
  };
}
