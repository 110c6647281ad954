import { bytesCodec, WalReader, WalWriter } from '@durability/core';
import { describe, expect, it } from 'vitest';
import { SimDirectory } from '../src/index.js';
import { numbered, numberOf } from './support/wal-workload.js';

/** Appends `count` 24-byte entries, flushing every `flushEvery` (durably when `durable`). */
async function workload(dir: SimDirectory, count: number, flushEvery: number, durable: boolean) {
  const wal = await WalWriter.create<Uint8Array>(dir, { codec: bytesCodec });
  dir.store.resetStats();
  for (let i = 1; i <= count; i++) {
    await wal.append(numbered(i));
    if (i % flushEvery === 0) await (durable ? wal.flushAndSync() : wal.flush());
  }
  const stats = dir.store.stats;
  await wal.close();
  return stats;
}

describe('WAL on the object-store directory: cost', () => {
  it('a flush of buffered entries is exactly one PUT and nothing else; flushAndSync adds no request', async () => {
    for (const durable of [false, true]) {
      const dir = new SimDirectory();
      const stats = await workload(dir, 50, 1, durable);
      expect(stats.requests.put, `durable ${durable}`).toBe(50);
      expect(stats.requests.total, `durable ${durable}`).toBe(50);
    }
  });

  it('reads back every entry, in order, from the part objects', async () => {
    const dir = new SimDirectory();
    await workload(dir, 120, 7, true);
    const entries = await new WalReader<Uint8Array>(dir, { codec: bytesCodec }).replay();
    expect(entries.map((entry) => entry.entryId)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(entries.map((entry) => numberOf(entry.payload))).toEqual(entries.map((entry) => entry.entryId));
  });

  it('prints the cost of 1,000 appends at flush every 1, 10 and 100 entries', async () => {
    const rows: string[] = [];
    for (const every of [1, 10, 100]) {
      const dir = new SimDirectory();
      const stats = await workload(dir, 1000, every, true);
      expect(stats.requests.put).toBe(1000 / every);
      expect(stats.requests.total).toBe(1000 / every);
      rows.push(
        `| ${String(every).padStart(3)} | ${String(stats.requests.put).padStart(5)} | ${String(stats.requests.total).padStart(8)} | ${String(stats.bytesIn).padStart(8)} | ${(stats.bytesIn / (1000 / every)).toFixed(0).padStart(9)} |`,
      );
    }
    console.info(
      [
        '[s3-sim cost] 1,000 appends of 24-byte payloads (flushAndSync every N):',
        '| N   |  PUTs | requests | bytes in | bytes/PUT |',
        ...rows,
      ].join('\n'),
    );
  });
});
