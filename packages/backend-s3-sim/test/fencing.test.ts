import { bytesCodec, LockedError, type LockTakeover, WalReader, WalWriter } from '@durability/core';
import { describe, expect, it } from 'vitest';
import { SimDirectory, SimObjectStore } from '../src/index.js';
import { numbered, numberOf } from './support/wal-workload.js';

const options = { codec: bytesCodec };

/** Two directories over two clients of one bucket: two machines sharing the WAL. */
function twoMachines() {
  const store = new SimObjectStore({ recordRequests: true });
  return {
    store,
    a: new SimDirectory({ store: store.client('a') }),
    b: new SimDirectory({ store: store.client('b') }),
  };
}

async function replayNumbers(dir: SimDirectory): Promise<{ ids: number[]; numbers: number[] }> {
  const entries = await new WalReader<Uint8Array>(dir, options).replay({ mode: 'strict' });
  return { ids: entries.map((e) => e.entryId), numbers: entries.map((e) => numberOf(e.payload)) };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('fencing: two writers on one WAL', () => {
  it('two writers racing to create the WAL: exactly one proceeds, the other gets LockedError', async () => {
    for (let round = 0; round < 10; round++) {
      const { a, b } = twoMachines();
      const outcomes = await Promise.allSettled([WalWriter.create(a, options), WalWriter.create(b, options)]);
      const winners = outcomes.filter((o) => o.status === 'fulfilled');
      expect(winners).toHaveLength(1);
      const loser = outcomes.find((o) => o.status === 'rejected')!;
      expect(LockedError.is(loser.reason), String(loser.reason)).toBe(true);
      const wal = winners[0]!.value;
      await wal.append(numbered(1));
      await wal.flushAndSync();
      await wal.close();
      expect((await replayNumbers(a)).numbers).toEqual([1]);
    }
  });

  it.each([
    { name: 'mid-segment', segmentSizeBytes: 64 * 1024 },
    { name: 'at a rotation', segmentSizeBytes: 120 },
  ])(
    'forced takeover while the old writer lives ($name): the old writer never gets a write in',
    async ({ segmentSizeBytes }) => {
      const { store, a, b } = twoMachines();
      const old = await WalWriter.create<Uint8Array>(a, { ...options, segmentSizeBytes });
      let n = 0;
      for (; n < 5; ) {
        await old.append(numbered(++n));
        await old.flushAndSync();
      }
      const acknowledgedByOld = n;
      // The operator declares machine A dead and forces a takeover of its lock.
      const takeovers: LockTakeover[] = [];
      const fresh = await WalWriter.resume<Uint8Array>(b, {
        ...options,
        segmentSizeBytes,
        lockTakeover: 'force',
        onLockTakeover: (t) => takeovers.push(t),
      });
      expect(takeovers.map((t) => t.reason)).toEqual(['forced']);
      expect(fresh.lockTakeover?.previousOwner.token).toBeDefined();
      const takeover = store.requestLog.length;

      // The revived old writer: its next flush (or the sync/close of a rotation) fails and writes nothing.
      await old.append(numbered(++n));
      await old.append(numbered(++n));
      const error = await rejection(old.flushAndSync());
      expect(LockedError.is(error), String(error)).toBe(true);
      await expect(old.append(numbered(++n))).rejects.toThrow();
      await old.close().catch(() => undefined);

      for (let i = 0; i < 4; i++) {
        await fresh.append(numbered(100 + i));
        await fresh.flushAndSync();
      }
      await fresh.close();

      const oldWrites = store.requestLog
        .slice(takeover)
        .filter(
          (r) => r.client === 'a' && r.kind !== 'get' && r.kind !== 'head' && r.kind !== 'list' && r.effect,
        );
      expect(oldWrites.map((r) => `${r.kind} ${r.key}`)).toEqual([]);
      const { ids, numbers } = await replayNumbers(a);
      expect(ids).toEqual(numbers.map((_, i) => i + 1));
      expect(numbers).toEqual([
        ...Array.from({ length: acknowledgedByOld }, (_, i) => i + 1),
        100,
        101,
        102,
        103,
      ]);
    },
  );

  it('a second writer through another directory object is refused while the first is alive', async () => {
    const { a, b } = twoMachines();
    const first = await WalWriter.create(a, options);
    expect(LockedError.is(await rejection(WalWriter.resume(b, options)))).toBe(true);
    await first.close();
    const second = await WalWriter.resume(b, options);
    await second.close();
  });
});
