import { SegmentIndex, type SegmentIndexCheckpoint, type WalEntry } from '@durability/core';
import { seededRandom } from './values.js';

/**
 * A deterministic, valid segment-index history (FORMAT.md § "Segment-index entries"): every entry it
 * hands out is a valid transition from the state the previous ones built, so recovery never refuses it
 * for semantic reasons and any failure the sweeps see comes from bytes or I/O.
 *
 * It also keeps the reference: `stateAfter(k)` is the checkpoint form of the index after entries 1..k
 * (markers included: a `Checkpoint` entry changes nothing but is part of the stream).
 */
export class SegmentHistory {
  private readonly random: () => number;
  private readonly live = new Map<number, number>(); // segmentId → docCount
  private readonly merging = new Map<number, number[]>(); // mergeId → input segment ids
  private nextSegmentId = 1;
  private nextMergeId = 1;
  private readonly index = new SegmentIndex();
  private readonly states: SegmentIndexCheckpoint[] = [new SegmentIndex().toCheckpointState()];
  /** Entry id → entry, for every entry recorded so far (ids from 1, contiguous). */
  readonly entries: WalEntry[] = [];

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  /** Id the next recorded entry gets. */
  get nextEntryId(): number {
    return this.entries.length + 1;
  }

  /** Invents the next valid entry and records it. */
  next(): WalEntry {
    const entry = this.invent();
    this.record(entry);
    return entry;
  }

  /** Records an entry someone else appends (a publisher's `Checkpoint` marker). */
  record(entry: WalEntry): number {
    const entryId = this.nextEntryId;
    this.index.apply(entry, entryId);
    this.entries.push(entry);
    this.states.push(this.index.toCheckpointState());
    return entryId;
  }

  /** The entry with this id (1-based). */
  entry(entryId: number): WalEntry | undefined {
    return this.entries[entryId - 1];
  }

  /** The index after entries 1..k, in checkpoint form. */
  stateAfter(k: number): SegmentIndexCheckpoint {
    const state = this.states[k];
    if (state === undefined)
      throw new RangeError(`no state after entry ${k}: ${this.entries.length} recorded`);
    return state;
  }

  private invent(): WalEntry {
    const roll = this.random();
    const free = [...this.live.keys()].filter(
      (id) => ![...this.merging.values()].some((m) => m.includes(id)),
    );
    const pending = [...this.merging.keys()];
    if (this.live.size < 2 || roll < 0.3) return this.addSegment();
    if (roll < 0.65) return this.deleteDocuments();
    if (roll < 0.78 && free.length >= 2) return this.startMerge(free);
    if (roll < 0.92 && pending.length > 0) return this.endMerge(pending);
    if (pending.length > 0) return this.cancelMerge(pending);
    return this.addSegment();
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.random() * items.length)]!;
  }

  private addSegment(): WalEntry {
    const segmentId = this.nextSegmentId++;
    const docCount = 1 + Math.floor(this.random() * 1000);
    this.live.set(segmentId, docCount);
    return { type: 'AddSegment', segmentId, docCount };
  }

  private deleteDocuments(): WalEntry {
    const ids = [...this.live.keys()];
    const deletes: [number, number][] = [];
    const count = 1 + Math.floor(this.random() * 3);
    for (let i = 0; i < count; i++) {
      const segmentId = this.pick(ids);
      deletes.push([segmentId, Math.floor(this.random() * this.live.get(segmentId)!)]);
    }
    return { type: 'DeleteDocuments', deletes };
  }

  private startMerge(free: readonly number[]): WalEntry {
    const first = this.pick(free);
    const second = this.pick(free.filter((id) => id !== first));
    const segmentIds = [first, second].sort((a, b) => a - b);
    const mergeId = this.nextMergeId++;
    this.merging.set(mergeId, segmentIds);
    return { type: 'StartMerge', mergeId, segmentIds };
  }

  private endMerge(pending: readonly number[]): WalEntry {
    const mergeId = this.pick(pending);
    const segmentIds = this.merging.get(mergeId)!;
    this.merging.delete(mergeId);
    const docCount = segmentIds.reduce((sum, id) => sum + this.live.get(id)!, 0);
    for (const id of segmentIds) this.live.delete(id);
    const newSegmentId = this.nextSegmentId++;
    this.live.set(newSegmentId, docCount);
    return { type: 'EndMerge', mergeId, newSegmentId, docCount, segmentIds };
  }

  private cancelMerge(pending: readonly number[]): WalEntry {
    const mergeId = this.pick(pending);
    this.merging.delete(mergeId);
    return { type: 'CancelMerge', mergeId };
  }
}
