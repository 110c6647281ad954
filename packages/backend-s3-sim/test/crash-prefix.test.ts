import { isDeepStrictEqual } from 'node:util';
import {
  CheckpointPublisher,
  checkpointPathFor,
  RecoveryManager,
  type WalEntry,
  WalWriter,
  walEntrySchema,
} from '@durability/core';
import { describe, expect, it } from 'vitest';
import { SimDirectory, SimObjectStore } from '../src/index.js';
import { marker, prng, ReferenceModel, SegmentWorkload, summary } from './support/wal-workload.js';

/**
 * Request-level crash model: a crash can stop the workload after any completed request. The workload
 * (appends, flushes, rotations, checkpoint publishes with truncation) runs on a recording store; for
 * every prefix of its request log that changed state, a fresh store holding exactly that state must
 * recover (best-effort `recoverLatest`) to the state after some prefix of the appended entries that
 * includes every entry acknowledged durable, and a resumed writer must continue the ids.
 */
async function workload(seed: number, rounds: number) {
  const store = new SimObjectStore({ recordRequests: true });
  const dir = new SimDirectory({ store });
  const wal = await WalWriter.create<WalEntry>(dir, { schema: walEntrySchema, segmentSizeBytes: 160 });
  const entries = new SegmentWorkload();
  const reference = new ReferenceModel();
  const random = prng(seed);
  /** `[log length, acknowledged id]`: after that many requests, entries up to the id were acknowledged durable. */
  const acks: [number, number][] = [];
  const acknowledge = () => acks.push([store.requestLog.length, wal.lastEntryId!]);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0, n = 1 + (random() % 4); i < n; i++) {
      const entry = entries.next(random(), random(), random());
      reference.apply(entry, await wal.append(entry));
    }
    if (random() % 3 === 0) await wal.flush();
    else {
      await wal.flushAndSync();
      acknowledge();
    }
    if (round % 4 === 3) {
      const lastAppliedId = Math.max(0, reference.lastEntryId - (random() % 3));
      const path = checkpointPathFor(lastAppliedId);
      await new CheckpointPublisher(dir).publish(wal, reference.states[lastAppliedId]!, lastAppliedId, path);
      reference.apply(marker(path, lastAppliedId), wal.lastEntryId!);
      acknowledge();
    }
  }
  await wal.close();
  return { log: [...store.requestLog], acks, reference };
}

async function check(
  store: SimObjectStore,
  acknowledged: number,
  reference: ReferenceModel,
): Promise<string | undefined> {
  const dir = new SimDirectory({ store });
  let recovered: Awaited<ReturnType<RecoveryManager['recoverLatest']>>;
  try {
    recovered = await new RecoveryManager(dir).recoverLatest({ mode: 'best-effort' });
  } catch (error) {
    return `recovery failed: ${(error as Error).message}`;
  }
  const k = recovered.lastEntryId;
  if (k < acknowledged) return `lost acknowledged entries ${k + 1}..${acknowledged}`;
  if (k > reference.lastEntryId) return `recovered entry ${k}, never appended`;
  if (!isDeepStrictEqual(summary(recovered).state, reference.states[k]))
    return `state is not the state after 1..${k}`;
  const wal = await WalWriter.resume<WalEntry>(dir, { schema: walEntrySchema });
  const next = await wal.append({ type: 'AddSegment', segmentId: 1e9, docCount: 1 });
  await wal.flushAndSync();
  await wal.close();
  if (next !== k + 1) return `resumed writer assigned ${next}, expected ${k + 1}`;
  return undefined;
}

describe('crash after any completed request (object-store crash model)', () => {
  it.each([1, 2])('every state recovers a prefix with every acknowledged entry (seed %i)', async (seed) => {
    const { log, acks, reference } = await workload(seed, 16);
    const running = new SimObjectStore();
    const failures: string[] = [];
    let checked = 0;
    let ack = 0;
    let acknowledged = 0;
    for (let n = 0; n <= log.length; n++) {
      if (n > 0) {
        if (!log[n - 1]!.effect) continue; // a read, or a request that changed nothing: same state as before
        running.applyLogged([log[n - 1]!]);
      }
      while (ack < acks.length && acks[ack]![0] <= n) acknowledged = acks[ack++]![1];
      const problem = await check(running.clone(), acknowledged, reference);
      checked++;
      if (problem) failures.push(`after request ${n} (${log[n - 1]?.kind} ${log[n - 1]?.key}): ${problem}`);
    }
    console.info(
      `[s3-sim crash] seed ${seed}: ${reference.lastEntryId} entries, ${log.length} requests, ${checked} crash states recovered`,
    );
    expect(failures.slice(0, 5)).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });
});
