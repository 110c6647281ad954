import { CorruptionError } from '../errors.js';
import type { WalEntry } from '../wal/wal-entry.js';

/** One live segment of a recovered index. */
export interface RecoveredSegment {
  segmentId: number;
  docCount: number;
  /** Deleted doc ids, each `< docCount`, iterated in ascending order. */
  deletedDocs: Set<number>;
}

/** A merge that started (`StartMerge`) and has neither ended nor been cancelled. */
export interface PendingMerge {
  mergeId: number;
  /** The segments being merged, ascending. */
  segmentIds: number[];
}

/**
 * What `RecoveryManager` returns (ARCHITECTURE §5b): the live segments, ascending by id, and the id of
 * the last WAL entry reflected (0 when none). `pendingMerges` extends the seed's shape: a checkpoint
 * taken between a `StartMerge` and its `EndMerge`/`CancelMerge` must carry the merge, or the later entry
 * could not be checked (or applied, when `EndMerge` omits `segmentIds`) after the `StartMerge` was
 * truncated away.
 */
export interface RecoveredState {
  segments: RecoveredSegment[];
  pendingMerges: PendingMerge[];
  lastEntryId: number;
}

/**
 * The checkpoint payload of a segment index (`RecoveryManager.toCheckpointState`): plain arrays, every
 * list sorted ascending and free of duplicates, so one index has exactly one checkpoint state and (with
 * canonical CBOR) one byte string. The covered entry id is in the checkpoint header, not here.
 */
export interface SegmentIndexCheckpoint {
  segments: { segmentId: number; docCount: number; deletedDocs: number[] }[];
  pendingMerges: PendingMerge[];
}

/**
 * Any segment-index shape the publisher and `toCheckpointState` accept: a `RecoveredState` (Sets), a
 * `SegmentIndexCheckpoint` (arrays) or the seed's `{ segments, lastEntryId }`, lists in any order.
 */
export interface SegmentIndexLike {
  segments: readonly { segmentId: number; docCount: number; deletedDocs: Iterable<number> }[];
  pendingMerges?: readonly PendingMerge[];
  /** When present, the publisher checks it equals the `lastAppliedId` it is asked to publish. */
  lastEntryId?: number;
}

interface LiveSegment {
  docCount: number;
  deletedDocs: Set<number>;
}

/**
 * The segment-index state machine (FORMAT.md § Checkpoint, "Segment-index semantics"). `apply` checks an
 * entry completely before changing anything: an invalid transition throws `CorruptionError` (the WAL
 * holds a history no valid writer produces) and leaves the index as it was.
 *
 * | entry             | requires                                                                   | effect |
 * | ----------------- | -------------------------------------------------------------------------- | ------ |
 * | `AddSegment`      | `segmentId` not live                                                       | adds it, no deletes |
 * | `DeleteDocuments` | every `[segmentId, docId]`: segment live, `docId < docCount`               | marks them deleted (idempotent) |
 * | `StartMerge`      | `mergeId` not pending; `segmentIds` non-empty, distinct, live, in no other pending merge | records the merge |
 * | `CancelMerge`     | `mergeId` pending                                                          | forgets the merge |
 * | `EndMerge`        | inputs = `segmentIds` ?? the pending merge's (equal as sets when both); inputs distinct, live, in no other pending merge; `newSegmentId` not live; every remapped delete names `newSegmentId` with `docId < docCount` | removes the inputs (and their deletes), adds `newSegmentId` with the remapped deletes, forgets the merge |
 * | `Checkpoint`      | `lastEntryId <` the marker's own entry id                                  | none |
 */
export class SegmentIndex {
  private readonly segments = new Map<number, LiveSegment>();
  private readonly merges = new Map<number, number[]>();
  /** segmentId → the pending merge it belongs to. */
  private readonly mergeOf = new Map<number, number>();

  /** Applies one entry (see the table above), or throws `CorruptionError` and changes nothing. */
  apply(entry: WalEntry, entryId: number): void {
    const fail = (reason: string, details: { expected?: unknown; actual?: unknown } = {}): never => {
      throw new CorruptionError(
        `invalid segment-index transition at entry ${entryId} (${entry.type}): ${reason}`,
        details,
      );
    };
    switch (entry.type) {
      case 'AddSegment': {
        if (this.segments.has(entry.segmentId))
          fail('the segment already exists', { actual: entry.segmentId });
        this.segments.set(entry.segmentId, { docCount: entry.docCount, deletedDocs: new Set() });
        return;
      }
      case 'DeleteDocuments': {
        for (const [segmentId, docId] of entry.deletes) {
          const segment = this.segments.get(segmentId);
          if (!segment) fail('delete in a segment that does not exist', { actual: segmentId });
          else if (docId >= segment.docCount) {
            fail(`doc id out of range in segment ${segmentId}`, {
              expected: `< ${segment.docCount}`,
              actual: docId,
            });
          }
        }
        for (const [segmentId, docId] of entry.deletes) this.segments.get(segmentId)!.deletedDocs.add(docId);
        return;
      }
      case 'StartMerge': {
        if (this.merges.has(entry.mergeId)) fail('the merge is already pending', { actual: entry.mergeId });
        const inputs = this.checkInputs(entry.segmentIds, entry.mergeId, fail);
        this.merges.set(entry.mergeId, inputs);
        for (const id of inputs) this.mergeOf.set(id, entry.mergeId);
        return;
      }
      case 'CancelMerge': {
        const inputs = this.merges.get(entry.mergeId);
        if (!inputs) fail('no such pending merge', { actual: entry.mergeId });
        this.forgetMerge(entry.mergeId);
        return;
      }
      case 'EndMerge': {
        const pending = this.merges.get(entry.mergeId);
        const named = entry.segmentIds ?? pending;
        if (!named) fail('no pending merge of that id and no segmentIds', { actual: entry.mergeId });
        const inputs = this.checkInputs(named!, entry.mergeId, fail);
        if (pending && entry.segmentIds && !sameIds(inputs, pending)) {
          fail('segmentIds differ from the StartMerge', { expected: pending, actual: inputs });
        }
        if (this.segments.has(entry.newSegmentId)) {
          fail('the new segment id is already live', { actual: entry.newSegmentId });
        }
        for (const [segmentId, docId] of entry.remappedDeletes ?? []) {
          if (segmentId !== entry.newSegmentId) {
            fail('a remapped delete names another segment', {
              expected: entry.newSegmentId,
              actual: segmentId,
            });
          }
          if (docId >= entry.docCount) {
            fail('remapped doc id out of range', { expected: `< ${entry.docCount}`, actual: docId });
          }
        }
        if (pending) this.forgetMerge(entry.mergeId);
        for (const id of inputs) this.segments.delete(id);
        const deletedDocs = new Set((entry.remappedDeletes ?? []).map(([, docId]) => docId));
        this.segments.set(entry.newSegmentId, { docCount: entry.docCount, deletedDocs });
        return;
      }
      case 'Checkpoint': {
        if (entry.lastEntryId >= entryId) {
          fail('a checkpoint marker can only cover earlier entries', {
            expected: `< ${entryId}`,
            actual: entry.lastEntryId,
          });
        }
        return;
      }
    }
  }

  /** The recovered shape: fresh objects, everything ascending. */
  toRecoveredState(lastEntryId: number): RecoveredState {
    return {
      segments: this.sortedSegments().map(([segmentId, s]) => ({
        segmentId,
        docCount: s.docCount,
        deletedDocs: new Set(ascending([...s.deletedDocs])),
      })),
      pendingMerges: this.sortedMerges(),
      lastEntryId,
    };
  }

  /** The checkpoint payload: a function of the logical index only. */
  toCheckpointState(): SegmentIndexCheckpoint {
    return {
      segments: this.sortedSegments().map(([segmentId, s]) => ({
        segmentId,
        docCount: s.docCount,
        deletedDocs: ascending([...s.deletedDocs]),
      })),
      pendingMerges: this.sortedMerges(),
    };
  }

  /**
   * Rebuilds an index, checking every invariant the transitions keep (distinct ids, deletes in range,
   * pending merges over live, disjoint segments); `fail` makes the error (a `DecodeError` for a
   * checkpoint read from disk, a `RangeError` for a caller's state). With `sorted`, lists must already be
   * strictly ascending (the canonical checkpoint form).
   */
  static restore(
    state: {
      segments: readonly { segmentId: number; docCount: number; deletedDocs: Iterable<number> }[];
      pendingMerges: readonly PendingMerge[];
    },
    fail: (message: string) => Error,
    options: { sorted: boolean },
  ): SegmentIndex {
    const index = new SegmentIndex();
    const check = (ok: boolean, message: string) => {
      if (!ok) throw fail(message);
    };
    let previous = -1;
    for (const { segmentId, docCount, deletedDocs } of state.segments) {
      check(!index.segments.has(segmentId), `segment ${segmentId} appears twice`);
      check(!options.sorted || segmentId > previous, 'segments are not in ascending id order');
      previous = segmentId;
      const docs = new Set<number>();
      let previousDoc = -1;
      for (const docId of deletedDocs) {
        check(
          docId < docCount,
          `segment ${segmentId}: deleted doc ${docId} is not below docCount ${docCount}`,
        );
        check(
          !options.sorted || docId > previousDoc,
          `segment ${segmentId}: deletedDocs not strictly ascending`,
        );
        previousDoc = docId;
        docs.add(docId);
      }
      index.segments.set(segmentId, { docCount, deletedDocs: docs });
    }
    let previousMerge = -1;
    for (const { mergeId, segmentIds } of state.pendingMerges) {
      check(!index.merges.has(mergeId), `merge ${mergeId} appears twice`);
      check(!options.sorted || mergeId > previousMerge, 'pendingMerges are not in ascending id order');
      previousMerge = mergeId;
      check(segmentIds.length > 0, `merge ${mergeId} has no segments`);
      let previousSegment = -1;
      for (const id of segmentIds) {
        check(index.segments.has(id), `merge ${mergeId} names segment ${id}, which is not live`);
        check(!index.mergeOf.has(id), `segment ${id} is in two pending merges`);
        check(!options.sorted || id > previousSegment, `merge ${mergeId}: segmentIds not strictly ascending`);
        previousSegment = id;
        index.mergeOf.set(id, mergeId);
      }
      index.merges.set(mergeId, ascending([...segmentIds]));
    }
    return index;
  }

  private checkInputs(
    ids: readonly number[],
    mergeId: number,
    fail: (r: string, d?: object) => never,
  ): number[] {
    if (ids.length === 0) fail('a merge needs at least one segment');
    const inputs = ascending([...ids]);
    for (let i = 0; i < inputs.length; i++) {
      const id = inputs[i]!;
      if (i > 0 && inputs[i - 1] === id) fail('a segment is named twice', { actual: id });
      if (!this.segments.has(id)) fail('a merged segment does not exist', { actual: id });
      const owner = this.mergeOf.get(id);
      if (owner !== undefined && owner !== mergeId) {
        fail(`segment ${id} belongs to pending merge ${owner}`, { actual: id });
      }
    }
    return inputs;
  }

  private forgetMerge(mergeId: number): void {
    for (const id of this.merges.get(mergeId) ?? []) this.mergeOf.delete(id);
    this.merges.delete(mergeId);
  }

  private sortedSegments(): [number, LiveSegment][] {
    return [...this.segments].sort((a, b) => a[0] - b[0]);
  }

  private sortedMerges(): PendingMerge[] {
    return [...this.merges]
      .sort((a, b) => a[0] - b[0])
      .map(([mergeId, segmentIds]) => ({ mergeId, segmentIds: [...segmentIds] }));
  }
}

function ascending(values: number[]): number[] {
  return values.sort((a, b) => a - b);
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i]);
}
