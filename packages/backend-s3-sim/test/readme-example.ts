import { SimDirectory } from '@durability/backend-s3-sim';
import { bytesCodec, LockedError, WalReader, WalWriter } from '@durability/core';

// A WAL on the simulated object store: every flush is one PUT of an immutable part object.
const dir = new SimDirectory({ seed: 42 });
const wal = await WalWriter.create<Uint8Array>(dir, { codec: bytesCodec });
dir.store.resetStats();
for (let i = 0; i < 1000; i++) {
  await wal.append(new TextEncoder().encode(`event ${i}`));
  if (i % 10 === 9) await wal.flushAndSync(); // durable: one PUT per 10 appends
}
console.log(dir.store.stats.requests.put, 'PUTs,', dir.store.stats.bytesIn, 'bytes for 1,000 appends');
await wal.close();

// Fault injection: PUTs that are applied but time out (the caller cannot know) are resolved by reading back.
dir.store.setFaults({ unknownOutcomeProbability: 0.2, latencyMs: { min: 0, max: 2 } });
const resumed = await WalWriter.resume<Uint8Array>(dir, { codec: bytesCodec });
await resumed.append(new TextEncoder().encode('after faults'));
await resumed.flushAndSync();
await resumed.close();
dir.store.setFaults({ unknownOutcomeProbability: 0, latencyMs: 0 });

const entries = await new WalReader<Uint8Array>(dir, { codec: bytesCodec }).replay();
console.log(entries.length, 'entries, last id', entries.at(-1)?.entryId); // 1001 entries, last id 1001

// Fencing: a second machine (another client of the same bucket) takes over; the first is fenced.
const machineB = new SimDirectory({ store: dir.store.client('b') });
const first = await WalWriter.resume<Uint8Array>(dir, { codec: bytesCodec });
// The operator knows machine A is dead (it is not: it is only paused) and forces the takeover.
const second = await WalWriter.resume<Uint8Array>(machineB, { codec: bytesCodec, lockTakeover: 'force' });
await first.append(new TextEncoder().encode('stale'));
await first.flushAndSync().catch((error) => console.log('fenced:', LockedError.is(error))); // fenced: true
await second.close();
await first.close().catch(() => undefined);

export const result = { entries: entries.length, stats: dir.store.stats };
