import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SequentialReader } from '../src/encoding/sequential-reader.js';
import type { FileReader } from '../src/index.js';

/** A FileReader over bytes in memory that records the size of every ranged read. */
function memoryReader(data: Uint8Array, options: { length?: number } = {}) {
  const reads: { offset: number; length: number }[] = [];
  const reader: FileReader = {
    path: 'f',
    length: options.length ?? data.length,
    read: async (offset, length) => {
      reads.push({ offset, length });
      return data.slice(offset, offset + length);
    },
    close: async () => {},
  };
  return { reader, reads };
}

/** Takes the whole stream in pieces of the given sizes (cycled), filling only when needed. */
async function drain(sr: SequentialReader, sizes: number[]): Promise<Uint8Array[]> {
  const views: Uint8Array[] = [];
  for (let i = 0; sr.remaining() > 0; i++) {
    const want = Math.min(sizes[i % sizes.length]!, sr.remaining());
    if (sr.buffered() < want) await sr.fill(want);
    views.push(sr.take(want));
  }
  return views;
}

const concat = (views: Uint8Array[]) => {
  const out = new Uint8Array(views.reduce((n, v) => n + v.length, 0));
  let at = 0;
  for (const v of views) {
    out.set(v, at);
    at += v.length;
  }
  return out;
};

describe('SequentialReader', () => {
  it('yields the same byte stream for any chunk size and any take sizes; views stay valid', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 3000 }),
        fc.integer({ min: 1, max: 600 }),
        fc.array(fc.integer({ min: 1, max: 900 }), { minLength: 1, maxLength: 8 }),
        async (data, chunkBytes, sizes) => {
          const { reader, reads } = memoryReader(data);
          const sr = new SequentialReader(reader, { chunkBytes });
          const views = await drain(sr, sizes);
          // Checked only at the end, after every refill: earlier views were not overwritten.
          expect(concat(views)).toEqual(data);
          expect(sr.offset).toBe(data.length);
          // Bounded memory: no read asks for more than a chunk or the largest single request.
          const bound = Math.max(chunkBytes, ...sizes);
          for (const r of reads) expect(r.length).toBeLessThanOrEqual(bound);
          // Never reads past the end of the file.
          for (const r of reads) expect(r.offset + r.length).toBeLessThanOrEqual(data.length);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('starts at startOffset', async () => {
    const data = Uint8Array.from({ length: 20 }, (_, i) => i);
    const sr = new SequentialReader(memoryReader(data).reader, { startOffset: 8, chunkBytes: 4 });
    expect(sr.offset).toBe(8);
    expect(sr.remaining()).toBe(12);
    expect(concat(await drain(sr, [3]))).toEqual(data.subarray(8));
  });

  it('peek does not consume; take and peek beyond the buffer are RangeErrors', async () => {
    const sr = new SequentialReader(memoryReader(Uint8Array.of(1, 2, 3)).reader, { chunkBytes: 2 });
    expect(() => sr.peek(1)).toThrow(RangeError);
    expect(await sr.fill(1)).toBe(2);
    expect([...sr.peek(2)]).toEqual([1, 2]);
    expect([...sr.take(1)]).toEqual([1]);
    expect(() => sr.take(2)).toThrow(RangeError);
    expect(await sr.fill(2)).toBe(2);
    expect([...sr.take(2)]).toEqual([2, 3]);
    expect(await sr.fill(1)).toBe(0); // at the end: fewer than asked, no error
  });

  it('peekInPlace points at the same bytes as peek, across refills and carry-overs', async () => {
    const data = Uint8Array.from({ length: 50 }, (_, i) => i + 1);
    const sr = new SequentialReader(memoryReader(data).reader, { chunkBytes: 7 });
    expect(() => sr.peekInPlace(1)).toThrow(RangeError);
    for (let at = 0; at + 5 <= data.length; at += 3) {
      if (sr.buffered() < 5) await sr.fill(5);
      const { bytes, index } = sr.peekInPlace(5);
      expect([...bytes.subarray(index, index + 5)]).toEqual([...sr.peek(5)]);
      expect(bytes[index]).toBe(at + 1);
      sr.skip(3);
    }
  });

  it('fill(n) for n larger than a chunk reads the whole request at once', async () => {
    const data = new Uint8Array(100).fill(7);
    const { reader, reads } = memoryReader(data);
    const sr = new SequentialReader(reader, { chunkBytes: 8 });
    expect(await sr.fill(50)).toBe(50);
    // The whole request in one read, then the read-ahead of the next chunk (from 2 bytes before the end
    // of the buffer: the overlap is a quarter chunk).
    expect(reads).toEqual([
      { offset: 0, length: 50 },
      { offset: 48, length: 8 },
    ]);
  });

  describe('restIsZero', () => {
    it('is true exactly when every remaining byte is zero, reading in bounded chunks', async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 2000 }),
          fc.option(fc.nat(), { nil: undefined }),
          fc.integer({ min: 0, max: 2000 }),
          fc.integer({ min: 1, max: 300 }),
          async (length, nonZeroAt, start, chunkBytes) => {
            const data = new Uint8Array(length);
            if (nonZeroAt !== undefined && length > 0) data[nonZeroAt % length] = 1;
            const from = Math.min(start, length);
            const { reader, reads } = memoryReader(data);
            const sr = new SequentialReader(reader, { startOffset: from, chunkBytes });
            const expected = data.subarray(from).every((b) => b === 0);
            expect(await sr.restIsZero()).toBe(expected);
            for (const r of reads) expect(r.length).toBeLessThanOrEqual(chunkBytes);
          },
        ),
        { numRuns: 200 },
      );
    });

    it('ends when the file is shorter than its reader said (it shrank), instead of looping forever', async () => {
      const { reader } = memoryReader(new Uint8Array(4), { length: 10 });
      const sr = new SequentialReader(reader, { chunkBytes: 2 });
      expect(await sr.restIsZero()).toBe(true);
    });
  });
});

describe('SequentialReader: skip, consumed, and refills that keep the read bytes', () => {
  it('skip then take equals take of the whole; consumed() is the bytes just passed over', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 3000 }),
        fc.integer({ min: 1, max: 700 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 200 })), {
          minLength: 1,
          maxLength: 20,
        }),
        async (data, chunkBytes, steps) => {
          const sr = new SequentialReader(memoryReader(data).reader, { chunkBytes });
          const seen: Uint8Array[] = [];
          for (let i = 0; sr.remaining() > 0; i++) {
            const [skipN, takeN] = steps[i % steps.length]!;
            const a = Math.min(skipN, sr.remaining());
            const b = Math.min(takeN, sr.remaining() - a);
            if (a + b === 0) {
              await sr.fill(1);
              seen.push(sr.take(1));
              continue;
            }
            if (sr.buffered() < a + b) await sr.fill(a + b);
            const at = sr.offset;
            sr.skip(a);
            const taken = sr.take(b);
            expect(Array.from(sr.consumed(a + b))).toEqual(Array.from(data.subarray(at, at + a + b)));
            expect(Array.from(taken)).toEqual(Array.from(data.subarray(at + a, at + a + b)));
            seen.push(data.subarray(at, at + a), taken);
          }
          expect(concat(seen)).toEqual(data);
        },
      ),
    );
  });

  it('skip beyond the buffered bytes and consumed() beyond the last refill are RangeErrors', async () => {
    const sr = new SequentialReader(memoryReader(new Uint8Array(100)).reader, { chunkBytes: 10 });
    await sr.fill(10);
    expect(() => sr.skip(11)).toThrow(RangeError);
    sr.skip(4);
    expect(() => sr.consumed(5)).toThrow(RangeError);
    expect(sr.consumed(4)).toHaveLength(4);
  });

  it('a refill keeps the bytes the reader returned (no copy) when they hold every unconsumed byte', async () => {
    const returned: Uint8Array[] = [];
    const data = new Uint8Array(64).map((_, i) => i);
    const reader: FileReader = {
      path: 'f',
      length: data.length,
      read: async (offset, length) => {
        const bytes = data.slice(offset, offset + length);
        returned.push(bytes);
        return bytes;
      },
      close: async () => {},
    };
    const sr = new SequentialReader(reader, { chunkBytes: 16 });
    await sr.fill(16);
    expect(sr.take(14).buffer).toBe(returned[0]!.buffer);
    // Bytes 14 and 15 are unconsumed; the read-ahead started 4 bytes before the end (at 12), so its chunk
    // holds them and becomes the buffer as it is.
    await sr.fill(8);
    const view = sr.take(8);
    expect(view.buffer).toBe(returned[1]!.buffer);
    expect(Array.from(view)).toEqual([14, 15, 16, 17, 18, 19, 20, 21]);
  });

  it('a refill copies the unconsumed bytes when they start before the read-ahead', async () => {
    const data = new Uint8Array(64).map((_, i) => i);
    const sr = new SequentialReader(memoryReader(data).reader, { chunkBytes: 16 });
    await sr.fill(16);
    const early = sr.take(2); // bytes 2..15 unconsumed: more than the 4-byte overlap
    await sr.fill(20);
    expect(Array.from(sr.take(20))).toEqual(Array.from(data.subarray(2, 22)));
    expect(Array.from(early)).toEqual([0, 1]); // earlier views are untouched
  });
});

/** A FileReader whose reads resolve only when the test releases them, so what is in flight is visible. */
function gatedReader(data: Uint8Array) {
  const pending: { offset: number; length: number; release: (error?: Error) => void }[] = [];
  const reader: FileReader = {
    path: 'f',
    length: data.length,
    read: (offset, length) =>
      new Promise<Uint8Array>((resolve, reject) => {
        pending.push({
          offset,
          length,
          release: (error) => (error ? reject(error) : resolve(data.slice(offset, offset + length))),
        });
      }),
    close: async () => {},
  };
  /** Resolves (or fails) the oldest read still pending. */
  const releaseNext = async (error?: Error) => {
    await new Promise((r) => setImmediate(r));
    pending.shift()!.release(error);
  };
  return { reader, pending, releaseNext };
}

describe('SequentialReader: read-ahead', () => {
  const data = Uint8Array.from({ length: 40 }, (_, i) => i);

  it('starts the next chunk after a refill, one read in flight at a time, never past the end', async () => {
    const { reader, pending, releaseNext } = gatedReader(data.subarray(0, 36));
    const sr = new SequentialReader(reader, { chunkBytes: 16 });
    const first = sr.fill(1);
    await releaseNext();
    expect(await first).toBe(16);
    // The next chunk is already being read before anyone asks for it, from a quarter chunk before the
    // end of the buffer (so a frame the buffer ends in is whole in it).
    expect(pending.map(({ offset, length }) => ({ offset, length }))).toEqual([{ offset: 12, length: 16 }]);
    sr.skip(10);
    const second = sr.fill(10); // needs 4 more bytes than are buffered: waits for the read-ahead
    await releaseNext();
    expect(await second).toBe(18);
    expect(Array.from(sr.take(18))).toEqual(Array.from(data.subarray(10, 28)));
    // The last read-ahead is cut at the reader's length; after it nothing more is read.
    expect(pending.map(({ offset, length }) => ({ offset, length }))).toEqual([{ offset: 24, length: 12 }]);
    const third = sr.fill(8);
    await releaseNext();
    expect(await third).toBe(8);
    expect(Array.from(sr.take(8))).toEqual(Array.from(data.subarray(28, 36)));
    expect(pending).toHaveLength(0);
  });

  it('a failed read-ahead rejects the fill that needs it, and only that one', async () => {
    const { reader, releaseNext } = gatedReader(data);
    const sr = new SequentialReader(reader, { chunkBytes: 16 });
    const first = sr.fill(16);
    await releaseNext();
    await first;
    const failure = new Error('EIO on the read-ahead');
    await releaseNext(failure); // fails while nobody waits for it: no unhandled rejection
    await new Promise((r) => setTimeout(r, 10));
    expect(Array.from(sr.take(16))).toEqual(Array.from(data.subarray(0, 16)));
    await expect(sr.fill(1)).rejects.toBe(failure);
  });

  it('settle waits for the read in flight and drops it, failed or not', async () => {
    const { reader, pending, releaseNext } = gatedReader(data);
    const sr = new SequentialReader(reader, { chunkBytes: 16 });
    const first = sr.fill(1);
    await releaseNext();
    await first;
    let settled = false;
    const settling = sr.settle().then(() => {
      settled = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    await releaseNext(new Error('dropped'));
    await settling;
    expect(pending).toHaveLength(0);
  });

  it('readAhead: false reads only what fill asks for', async () => {
    const { reader, reads } = memoryReader(data);
    const sr = new SequentialReader(reader, { chunkBytes: 16, readAhead: false });
    await sr.fill(1);
    expect(reads).toEqual([{ offset: 0, length: 16 }]);
  });
});
