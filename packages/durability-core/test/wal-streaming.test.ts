import { afterAll, describe, expect, it } from 'vitest';
import { crc32 } from '../src/checksum/crc32.js';
import { writeU32 } from '../src/encoding/little-endian.js';
import { bytesCodec, LimitExceededError, WalReader, WalWriter } from '../src/index.js';
import { encodeSegmentHeader, writeFrame } from '../src/wal/wal-format.js';
import { rejection, removeWalTempRoots, traced, walBackends, writeRaw } from './wal-harness.js';

afterAll(removeWalTempRoots);

const CHUNK = 4096;

describe.each(walBackends)('WAL streaming replay ($name)', (backend) => {
  it('reads in bounded chunks whatever the WAL size (one chunk, or one larger frame)', async () => {
    const t = traced(await backend.create());
    const w = await WalWriter.create<Uint8Array>(t.dir, { codec: bytesCodec, segmentSizeBytes: 64 * 1024 });
    for (let i = 0; i < 3000; i++) await w.append(new Uint8Array(100).fill(i & 0xff));
    await w.append(new Uint8Array(50_000).fill(7)); // one frame larger than a chunk
    await w.close();
    let count = 0;
    const report = await new WalReader<Uint8Array>(t.dir, {
      codec: bytesCodec,
      chunkBytes: CHUNK,
    }).replayEach((r) => {
      expect(r.payload[0]).toBe(r.entryId <= 3000 ? (r.entryId - 1) & 0xff : 7);
      count++;
    });
    expect(count).toBe(3001);
    expect(report.segmentCount).toBeGreaterThan(4);
    expect(Math.max(...t.readLengths)).toBeLessThanOrEqual(50_020);
    expect(t.readLengths.filter((n) => n > CHUNK)).toHaveLength(1);
  });

  it('a length above the cap is refused before any read or allocation sized by it', async () => {
    const t = traced(await backend.create());
    const frame = new Uint8Array(28 + 20 + 3);
    frame.set(encodeSegmentHeader({ segmentId: 1, startEntryId: 1 }), 0);
    writeFrame(frame, 28, 1, Uint8Array.of(1, 2, 3));
    writeU32(frame, 28, 10 * 1024 * 1024); // forge payload_len with a valid header CRC
    writeU32(frame, 28 + 12, crc32(frame.subarray(28, 40)));
    await writeRaw(t.dir, 'wal/wal_00000000000000000001.log', frame);
    const error = await rejection(new WalReader(t.dir, { maxEntryBytes: 1024, chunkBytes: CHUNK }).replay());
    expect(LimitExceededError.is(error)).toBe(true);
    expect(error).toMatchObject({ offset: 28, actual: 10 * 1024 * 1024 });
    expect(Math.max(...t.readLengths)).toBeLessThanOrEqual(CHUNK);

    // Above the format's 16 MiB cap a checksum-valid length is corruption, whatever the options say.
    writeU32(frame, 28, 16 * 1024 * 1024 + 1);
    writeU32(frame, 28 + 12, crc32(frame.subarray(28, 40)));
    await writeRaw(t.dir, 'wal/wal_00000000000000000001.log', frame);
    for (const mode of ['strict', 'best-effort'] as const) {
      const corrupt = await rejection(new WalReader(t.dir, { chunkBytes: CHUNK }).replay({ mode }));
      expect(corrupt).toMatchObject({ code: 'CORRUPTION', offset: 28, actual: 16 * 1024 * 1024 + 1 });
    }
    expect(Math.max(...t.readLengths)).toBeLessThanOrEqual(CHUNK);
  });

  it('replayEach awaits an async callback in order, and an error it throws stops the replay', async () => {
    const dir = await backend.create();
    const w = await WalWriter.create<number>(dir);
    await w.appendBatch([1, 2, 3, 4, 5]);
    await w.close();
    const seen: number[] = [];
    await new WalReader<number>(dir).replayEach(async (r) => {
      await new Promise((resolve) => setTimeout(resolve, 5 - r.payload));
      seen.push(r.entryId);
    });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    const stop = new Error('stop here');
    const partial: number[] = [];
    const error = await rejection(
      new WalReader<number>(dir).replayEach((r) => {
        if (r.entryId === 3) throw stop;
        partial.push(r.entryId);
      }),
    );
    expect(error).toBe(stop);
    expect(partial).toEqual([1, 2]);
  });
});
