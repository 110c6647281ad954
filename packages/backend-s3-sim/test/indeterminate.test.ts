import { bytesCodec, WalReader, WalWriter } from '@durability/core';
import { describe, expect, it } from 'vitest';
import { SimDirectory, SimObjectStore } from '../src/index.js';
import { numbered, numberOf, prng } from './support/wal-workload.js';

const options = { codec: bytesCodec, segmentSizeBytes: 400 };

/**
 * One seeded run: PUTs and DELETEs are applied-but-timed-out with probability 0.2 (and lost-and-timed-out
 * with 0.05). The writer appends numbered entries and flushes durably at random points; when a call fails
 * (the writer is then poisoned), a new writer resumes. Every acknowledged entry must be recovered once, in
 * order; unacknowledged ones may or may not be.
 */
async function run(seed: number) {
  const store = new SimObjectStore({ seed, unknownOutcomeProbability: 0.2, lostRequestProbability: 0.05 });
  const dir = new SimDirectory({ store });
  const random = prng(seed);
  let wal = await open(dir);
  let next = 1;
  const acknowledged: number[] = [];
  let restarts = 0;
  for (let step = 0; step < 40; step++) {
    try {
      const batch: number[] = [];
      for (let i = 0, count = 1 + (random() % 3); i < count; i++) {
        batch.push(next);
        await wal.append(numbered(next++));
      }
      await wal.flushAndSync();
      acknowledged.push(...batch);
    } catch {
      await wal.close().catch(() => undefined);
      wal = await open(dir);
      restarts++;
    }
  }
  await wal.close().catch(() => undefined);
  store.setFaults({ unknownOutcomeProbability: 0, lostRequestProbability: 0 });
  const entries = await new WalReader<Uint8Array>(dir, { codec: bytesCodec }).replay({ mode: 'strict' });
  return { entries, acknowledged, restarts, unknown: store.stats.unknownOutcomes };
}

/** Opening can fail too (an unknown outcome repeated past the limit): retry like an operator would. */
async function open(dir: SimDirectory): Promise<WalWriter<Uint8Array>> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await WalWriter.resume<Uint8Array>(dir, options);
    } catch (error) {
      if (attempt >= 20) throw error;
    }
  }
}

describe('indeterminate outcomes (applied-but-timed-out PUTs and DELETEs)', () => {
  it('no acknowledged entry is duplicated, lost or reordered over 30 seeded runs', async () => {
    let unknown = 0;
    let restarts = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const { entries, acknowledged, restarts: r, unknown: u } = await run(seed);
      unknown += u;
      restarts += r;
      const numbers = entries.map((entry) => numberOf(entry.payload));
      expect(
        entries.map((entry) => entry.entryId),
        `seed ${seed}: ids`,
      ).toEqual(numbers.map((_, i) => i + 1));
      for (let i = 1; i < numbers.length; i++) {
        expect(numbers[i]!, `seed ${seed}: order at ${i}`).toBeGreaterThan(numbers[i - 1]!);
      }
      const present = new Set(numbers);
      expect(
        acknowledged.filter((n) => !present.has(n)),
        `seed ${seed}: lost`,
      ).toEqual([]);
    }
    console.info(
      `[s3-sim indeterminate] 30 runs: ${unknown} unknown outcomes resolved, ${restarts} writer restarts`,
    );
    expect(unknown).toBeGreaterThan(100);
  });
});
