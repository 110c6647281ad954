import type { WalEntry } from '@durability/core';
import { SegmentIndex } from '@durability/core';

/**
 * Shared by the crash tests (parent, in vitest) and the child processes they spawn (through tsx): a seeded
 * PRNG and a generator of valid segment-index entries. Not a test file itself.
 */

/** mulberry32: small, deterministic, good enough to pick operations. */
export function prng(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of a test run: `DURABILITY_SEED` when set (to reproduce), else random. */
export function runSeed(): number {
  const fromEnv = process.env.DURABILITY_SEED;
  if (fromEnv !== undefined && fromEnv !== '') return Number(fromEnv) >>> 0;
  return (Math.random() * 2 ** 32) >>> 0;
}

/**
 * Valid entries for a live segment index: `AddSegment` whose `segmentId` is the entry id it is meant to
 * get (ids are unique, so segment ids are too) and `DeleteDocuments` of live segments.
 */
export class EntryGenerator {
  private readonly live: { segmentId: number; docCount: number }[] = [];

  constructor(
    private readonly random: () => number,
    live: readonly { segmentId: number; docCount: number }[] = [],
  ) {
    for (const s of live) this.live.push({ segmentId: s.segmentId, docCount: s.docCount });
  }

  /** The entry to append as entry `entryId`. */
  next(entryId: number): WalEntry {
    if (this.live.length === 0 || this.random() < 0.45) {
      const docCount = 1 + Math.floor(this.random() * 40);
      this.live.push({ segmentId: entryId, docCount });
      return { type: 'AddSegment', segmentId: entryId, docCount };
    }
    const deletes: [number, number][] = [];
    const n = 1 + Math.floor(this.random() * 3);
    for (let i = 0; i < n; i++) {
      const s = this.live[Math.floor(this.random() * this.live.length)]!;
      deletes.push([s.segmentId, Math.floor(this.random() * s.docCount)]);
    }
    return { type: 'DeleteDocuments', deletes };
  }
}

/** The segment index after `entries` (ids 1..n in order). */
export function indexOf(entries: readonly WalEntry[]): SegmentIndex {
  const index = new SegmentIndex();
  entries.forEach((entry, i) => {
    index.apply(entry, i + 1);
  });
  return index;
}
