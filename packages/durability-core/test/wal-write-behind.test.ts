import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { IoError, WalReader, WalWriter } from '../src/index.js';
import { CHUNK_SLACK_BYTES, FrameBuffer } from '../src/wal/frame-buffer.js';
import { frameBytes, writeFrame } from '../src/wal/wal-format.js';
import { rejection, removeWalTempRoots, traced, walBackends } from './wal-harness.js';

afterAll(removeWalTempRoots);

/** 40-byte string entries: about 62 bytes per frame with the default codec. */
const entry = (i: number) => `entry-${String(i).padStart(34, '0')}`;

describe.each(walBackends)('WAL write-behind of a full buffer ($name)', (backend) => {
  it('an append that fills the buffer does not wait for the write it starts', async () => {
    const t = traced(await backend.create());
    const w = await WalWriter.create<string>(t.dir, { bufferBytes: 256 });
    t.delayWriters(200);
    const writesBefore = t.calls.filter((c) => c.op === 'writer.write').length;
    const started = performance.now();
    // Five frames (~310 bytes) fill the 256-byte buffer: the fifth append starts a background write.
    for (let i = 0; i < 5; i++) await w.append(entry(i));
    const appendMs = performance.now() - started;
    await Promise.resolve();
    expect(t.calls.filter((c) => c.op === 'writer.write').length).toBe(writesBefore + 1);
    expect(appendMs).toBeLessThan(150); // resolved while its write was still delayed (200 ms)
    await w.flush();
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    t.delayWriters(0);
    await w.close();
    expect((await new WalReader<string>(t.dir).replay()).map((r) => r.payload)).toEqual(
      Array.from({ length: 5 }, (_, i) => entry(i)),
    );
  });

  it('with a write in flight, filling the buffer again waits for it: one full buffer in flight at most', async () => {
    const t = traced(await backend.create());
    const w = await WalWriter.create<string>(t.dir, { bufferBytes: 256 });
    t.delayWriters(20);
    let inFlight = 0;
    let maxInFlight = 0;
    const originalWrite = t.calls.push.bind(t.calls);
    t.calls.push = (...calls) => {
      for (const call of calls) {
        if (call.op === 'writer.write') {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          setTimeout(() => inFlight--, 20);
        }
      }
      return originalWrite(...calls);
    };
    const started = performance.now();
    for (let i = 0; i < 40; i++) await w.append(entry(i)); // ~8 full buffers
    const elapsed = performance.now() - started;
    expect(maxInFlight).toBe(1);
    // Each full buffer after the first waited for the previous (20 ms) write: the appends were throttled.
    expect(elapsed).toBeGreaterThan(5 * 20 - 10);
    t.delayWriters(0);
    await w.close();
    expect(await new WalReader<string>(t.dir).replay()).toHaveLength(40);
  });

  it('a failed background write poisons the writer: later calls reject with its error', async () => {
    const t = traced(await backend.create());
    const w = await WalWriter.create<string>(t.dir, { bufferBytes: 256 });
    const injected = Object.assign(new Error('EIO: simulated write failure'), { code: 'EIO' });
    t.failWhen('writer.write', injected);
    // The append that fills the buffer is only promised to memory: it resolves.
    for (let i = 0; i < 5; i++) expect(await w.append(entry(i))).toBe(i + 1);
    const cause = await rejection(w.flush());
    expect(IoError.is(cause)).toBe(true);
    expect((cause as IoError).cause).toBe(injected);
    expect(await rejection(w.append(entry(99)))).toBe(cause);
    expect(await rejection(w.flushAndSync())).toBe(cause);
    expect(await rejection(w.close())).toBe(cause);
  });

  it('an append waiting behind a failing write rejects with the poison', async () => {
    const t = traced(await backend.create());
    const w = await WalWriter.create<string>(t.dir, { bufferBytes: 256 });
    t.delayWriters(10);
    const injected = new Error('ENOSPC: simulated');
    t.failWhen('writer.write', injected);
    const outcomes: unknown[] = [];
    for (let i = 0; i < 12; i++) {
      const result = await w.append(entry(i)).catch((error: unknown) => error);
      outcomes.push(result);
      if (result instanceof Error) break;
    }
    const error = outcomes.at(-1);
    expect(IoError.is(error)).toBe(true);
    expect((error as IoError).cause).toBe(injected);
    await rejection(w.close());
  });
});

describe('FrameBuffer: a full buffer is one contiguous write', () => {
  it('streaming: every take of a full buffer is a single chunk holding exactly the frames', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 64, max: 128 * 1024 }),
        fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 200 }),
        (chunkBytes, sizes) => {
          const buffer = new FrameBuffer(chunkBytes, 1, 1);
          let expected: number[] = [];
          let entryId = 1;
          for (const size of sizes) {
            const payload = new Uint8Array(size).fill(entryId & 0xff);
            buffer.append(entryId, payload);
            const frame = new Uint8Array(frameBytes(size));
            writeFrame(frame, 0, entryId, payload);
            expected.push(...frame);
            entryId++;
            if (buffer.bytes >= chunkBytes) {
              const parts = buffer.take();
              expect(parts).toHaveLength(1);
              const chunks = parts[0]!.chunks;
              // One write, unless the frame that filled the buffer is larger than the slack.
              if (frameBytes(size) <= Math.min(CHUNK_SLACK_BYTES, Math.floor(chunkBytes / 16))) {
                expect(chunks).toHaveLength(1);
              }
              expect(Array.from(concat(chunks))).toEqual(expected);
              expected = [];
            }
          }
        },
      ),
    );
  });

  it('small takes (group commit) keep filling one allocation; streamed full buffers are one write each', () => {
    const buffer = new FrameBuffer(64 * 1024, 1, 1);
    const payload = new Uint8Array(100);
    const streamed = new FrameBuffer(16 * 1024, 1, 1);
    let ones = 0;
    let takes = 0;
    for (let id = 1; id <= 2000; id++) {
      streamed.append(id, payload);
      if (streamed.bytes >= 16 * 1024) {
        takes++;
        if (streamed.take()[0]!.chunks.length === 1) ones++;
      }
    }
    expect(ones).toBe(takes); // 120-byte frames ≤ 1 KiB slack: every full buffer is one write
    const backing = new Set<ArrayBufferLike>();
    for (let id = 1; id <= 100; id++) {
      buffer.append(id, payload);
      for (const chunk of buffer.take()[0]!.chunks) backing.add(chunk.buffer);
    }
    expect(backing.size).toBe(1); // 100 × 120 bytes < 32 KiB: no new chunk per commit
  });
});

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}
