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

/** Requests per kind since the last reset (the total left out), then a reset. */
function requestsSinceReset(dir: SimDirectory) {
  const { total: _total, ...byKind } = dir.store.stats.requests;
  dir.store.resetStats();
  return byKind;
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

describe('WAL on the object-store directory: rotation, opening and closing (the README states these)', () => {
  // 24-byte payloads are 44-byte frames: a 200-byte segment holds its 28-byte header and 3 frames.
  const small = { codec: bytesCodec, segmentSizeBytes: 200 };

  it('a rotation adds a LIST, two PUTs and the checks of the old segment: a HEAD at its close, and one at its sync when nothing was PUT since', async () => {
    const dir = new SimDirectory();
    const wal = await WalWriter.create<Uint8Array>(dir, small);
    for (let i = 1; i <= 3; i++) {
      await wal.append(numbered(i));
      await wal.flushAndSync();
    }
    requestsSinceReset(dir);
    // Entry 4 starts segment 2. Segment 1's sync and its close each prove with a HEAD that it was not
    // fenced; then segment 2's LIST and head PUT, its header PUT, and entry 4's part.
    await wal.append(numbered(4));
    await wal.flushAndSync();
    expect(requestsSinceReset(dir)).toEqual({ put: 3, get: 0, head: 2, list: 1, delete: 0 });

    await wal.append(numbered(5));
    await wal.flushAndSync();
    requestsSinceReset(dir);
    // Entry 6 fills segment 2, entry 7 starts segment 3 in the same round: the PUT of segment 2's last
    // part is its sync's proof, and its close checks once more with a HEAD.
    await wal.append(numbered(6));
    await wal.append(numbered(7));
    await wal.flushAndSync();
    expect(requestsSinceReset(dir)).toEqual({ put: 4, get: 0, head: 1, list: 1, delete: 0 });

    for (let i = 8; i <= 9; i++) {
      await wal.append(numbered(i));
      await wal.flush();
    }
    requestsSinceReset(dir);
    // Segment 3 holds entries 7, 8, 9, its last barrier a plain flush: that part's PUT is the sync's
    // proof, and its close checks with a HEAD.
    await wal.append(numbered(10));
    await wal.flushAndSync();
    expect(requestsSinceReset(dir)).toEqual({ put: 3, get: 0, head: 1, list: 1, delete: 0 });
    await wal.close();
    const entries = await new WalReader<Uint8Array>(dir, { codec: bytesCodec }).replay();
    expect(entries.map((entry) => numberOf(entry.payload))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('create: 7 LISTs, 4 PUTs; close: 3 LISTs, a GET, 2 HEADs, a DELETE; resume of one segment: 9 LISTs, 2 GETs, 2 PUTs, a HEAD', async () => {
    const dir = new SimDirectory();
    const wal = await WalWriter.create<Uint8Array>(dir, { codec: bytesCodec });
    // PUTs: the `wal/` marker, the lock, segment 1's head and its header.
    expect(requestsSinceReset(dir)).toEqual({ put: 4, get: 0, head: 0, list: 7, delete: 0 });
    await wal.append(numbered(1));
    await wal.flushAndSync();
    requestsSinceReset(dir);
    await wal.close(); // the segment's close checks it was not fenced (a HEAD); the rest reads and removes the lock
    expect(requestsSinceReset(dir)).toEqual({ put: 0, get: 1, head: 2, list: 3, delete: 1 });

    const resumed = await WalWriter.resume<Uint8Array>(dir, { codec: bytesCodec });
    // GETs: the scan reads the header part and the part of entry 1; PUTs: the lock and the fence that
    // claims the segment's next slot; HEAD: the reopened segment's sync proves the fence still holds.
    expect(requestsSinceReset(dir)).toEqual({ put: 2, get: 2, head: 1, list: 9, delete: 0 });
    await resumed.close();
    expect(requestsSinceReset(dir)).toEqual({ put: 0, get: 1, head: 2, list: 3, delete: 1 });
  });

  it('each further segment adds one LIST and the GETs that read it to a resume', async () => {
    const dir = new SimDirectory();
    const wal = await WalWriter.create<Uint8Array>(dir, small);
    for (let i = 1; i <= 4; i++) {
      await wal.append(numbered(i));
      await wal.flushAndSync();
    }
    await wal.close();
    requestsSinceReset(dir);
    const resumed = await WalWriter.resume<Uint8Array>(dir, small);
    // Segment 1: header + 3 parts; segment 2: header + 1 part.
    expect(requestsSinceReset(dir)).toEqual({ put: 2, get: 6, head: 1, list: 10, delete: 0 });
    await resumed.close();
  });
});
