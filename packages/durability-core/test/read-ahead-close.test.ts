import { MemoryDirectory } from '@durability/backend-memory';
import { describe, expect, it } from 'vitest';
import { type Directory, RecordLogReader, RecordLogWriter, WalReader, WalWriter } from '../src/index.js';
import { wrapReaders } from './support/backends.js';

/**
 * Wraps `dir` so that every ranged read takes a few milliseconds and every reader's `close` records how
 * many of its reads were still in flight: the scanners' read-ahead must have settled before they close.
 */
function slowReads(dir: Directory): { dir: Directory; inFlightAtClose: number[] } {
  const inFlightAtClose: number[] = [];
  const proxy = wrapReaders(dir, (inner) => {
    let inFlight = 0;
    return {
      path: inner.path,
      length: inner.length,
      read: async (offset, length) => {
        inFlight++;
        try {
          await new Promise((r) => setTimeout(r, 2));
          return await inner.read(offset, length);
        } finally {
          inFlight--;
        }
      },
      close: () => {
        inFlightAtClose.push(inFlight);
        return inner.close();
      },
    };
  });
  return { dir: proxy, inFlightAtClose };
}

const stop = new Error('the visitor stops the scan');

describe('read-ahead: no read is in flight when a scan closes its reader', () => {
  it('WAL replay, on success and when the visitor throws mid-file', async () => {
    const memory = new MemoryDirectory();
    const writer = await WalWriter.create<string>(memory);
    await writer.appendBatch(Array.from({ length: 200 }, (_, i) => `entry ${i}`.padEnd(40, '.')));
    await writer.close();
    const { dir, inFlightAtClose } = slowReads(memory);
    const reader = new WalReader<string>(dir, { chunkBytes: 256 });
    expect((await reader.replayEach(() => undefined)).entriesReplayed).toBe(200);
    await expect(
      reader.replayEach((entry) => {
        if (entry.entryId === 20) throw stop;
      }),
    ).rejects.toBe(stop);
    expect(inFlightAtClose.length).toBeGreaterThanOrEqual(2);
    expect(inFlightAtClose.every((n) => n === 0)).toBe(true);
  });

  it('record log read, on success and when the visitor throws mid-file', async () => {
    const memory = new MemoryDirectory();
    const writer = await RecordLogWriter.create(memory, 'log');
    for (let i = 0; i < 100; i++) await writer.append(new Uint8Array(40).fill(i));
    await writer.close();
    const { dir, inFlightAtClose } = slowReads(memory);
    const reader = new RecordLogReader(dir, 'log', { chunkBytes: 256 });
    expect((await reader.readAll()).records).toHaveLength(100);
    await expect(
      reader.readEach((_, index) => {
        if (index === 10) throw stop;
      }),
    ).rejects.toBe(stop);
    expect(inFlightAtClose).toHaveLength(2);
    expect(inFlightAtClose.every((n) => n === 0)).toBe(true);
  });
});
