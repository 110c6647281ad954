import { afterAll, describe, expect, it } from 'vitest';
import { writeU32 } from '../src/encoding/little-endian.js';
import { CorruptionError, type Directory, TornTailError, WalReader, WalWriter } from '../src/index.js';
import { encodeSegmentHeader, writeFrame } from '../src/wal/wal-format.js';
import {
  readRaw,
  rejection,
  removeWalTempRoots,
  segmentPaths,
  traced,
  walBackends,
  writeRaw,
} from './wal-harness.js';

afterAll(removeWalTempRoots);

const cbor = (text: string) => {
  // CBOR text string of ≤ 23 ASCII bytes: one header byte then the bytes.
  const bytes = new TextEncoder().encode(text);
  return Uint8Array.of(0x60 + bytes.length, ...bytes);
};

function segment(segmentId: number, start: number, frames: [number, string][]): Uint8Array {
  const payloads = frames.map(([id, text]) => [id, cbor(text)] as const);
  const out = new Uint8Array(28 + payloads.reduce((n, [, p]) => n + 20 + p.length, 0));
  out.set(encodeSegmentHeader({ segmentId, startEntryId: start }), 0);
  let at = 28;
  for (const [id, payload] of payloads) at = writeFrame(out, at, id, payload);
  return out;
}

const SEG = (id: number) => `wal/wal_${String(id).padStart(20, '0')}.log`;

describe.each(walBackends)('WAL resume and validation ($name)', (backend) => {
  async function twoSegments(): Promise<Directory> {
    const dir = await backend.create();
    await writeRaw(
      dir,
      SEG(1),
      segment(1, 1, [
        [1, 'a'],
        [2, 'b'],
      ]),
    );
    await writeRaw(
      dir,
      SEG(2),
      segment(2, 3, [
        [3, 'c'],
        [4, 'd'],
      ]),
    );
    return dir;
  }

  it('hand-made segments replay (the writer is not the only source of valid bytes)', async () => {
    const dir = await twoSegments();
    expect((await new WalReader<string>(dir).replay()).map((r) => r.payload)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('a torn tail is cut with truncate (never a rewrite), made durable, and ids continue', async () => {
    const dir = await twoSegments();
    const full = await readRaw(dir, SEG(2));
    await dir.truncate(SEG(2), full.length - 3);
    const t = traced(dir);
    const w = await WalWriter.resume<string>(t.dir);
    expect(w.resumeReport).toMatchObject({
      reason: 'torn-tail',
      segmentId: 2,
      offset: 28 + 22,
      bytesDropped: 19,
    });
    const truncates = t.calls.filter((c) => c.op === 'dir.truncate');
    expect(truncates).toEqual([{ op: 'dir.truncate', path: SEG(2) }]);
    expect(t.calls.some((c) => c.op === 'dir.createFile' || c.op === 'dir.atomicWrite')).toBe(false);
    // The repair (and whatever the crashed writer left unsynced) is durable before resume returns.
    const truncated = t.calls.indexOf(truncates[0]!);
    const synced = t.calls.findIndex((c) => c.op === 'writer.sync' && c.path === SEG(2));
    expect(synced).toBeGreaterThan(truncated);
    const parentSynced = t.calls.findIndex((c) => c.op === 'dir.syncParentDir' && c.path === SEG(2));
    if (backend.durable) expect(parentSynced).toBeGreaterThan(synced);
    else expect(parentSynced).toBe(-1);
    expect(await w.append('e')).toBe(4);
    await w.close();
    expect((await readRaw(dir, SEG(2))).subarray(0, 50)).toEqual(full.subarray(0, 50));
    expect((await new WalReader<string>(dir).replay()).map((r) => r.payload)).toEqual(['a', 'b', 'c', 'e']);
  });

  it('a torn final header is reset with the right start id', async () => {
    const dir = await twoSegments();
    await writeRaw(dir, SEG(3), encodeSegmentHeader({ segmentId: 3, startEntryId: 5 }).subarray(0, 11));
    expect(TornTailError.is(await rejection(new WalReader(dir).replay()))).toBe(true);
    const w = await WalWriter.resume<string>(dir);
    expect(w.resumeReport).toMatchObject({ reason: 'torn-segment-header', segmentId: 3, bytesDropped: 11 });
    expect(await w.append('e')).toBe(5);
    await w.close();
    expect((await readRaw(dir, SEG(3))).subarray(0, 28)).toEqual(
      encodeSegmentHeader({ segmentId: 3, startEntryId: 5 }),
    );
    expect((await new WalReader<string>(dir).replay()).map((r) => r.entryId)).toEqual([1, 2, 3, 4, 5]);
  });

  it('a torn header whose known bytes disagree (wrong segment id) is corruption, not a torn write', async () => {
    const dir = await twoSegments();
    await writeRaw(dir, SEG(3), encodeSegmentHeader({ segmentId: 9, startEntryId: 5 }).subarray(0, 20));
    const error = await rejection(new WalReader(dir).replay({ mode: 'best-effort' }));
    expect(CorruptionError.is(error)).toBe(true);
  });

  it('the only segment with a torn header and an id above 1: readable as empty, resume refuses to guess', async () => {
    const dir = await backend.create();
    await writeRaw(dir, SEG(5), encodeSegmentHeader({ segmentId: 5, startEntryId: 40 }).subarray(0, 12));
    const report = await new WalReader(dir).replayEach(() => undefined, { mode: 'best-effort' });
    expect(report).toMatchObject({
      reason: 'torn-segment-header',
      entriesReplayed: 0,
      nextEntryId: undefined,
    });
    expect(CorruptionError.is(await rejection(WalWriter.resume(dir)))).toBe(true);
  });

  it('a corrupted length in the middle of the final segment is corruption, not a torn tail', async () => {
    const dir = await twoSegments();
    const bytes = await readRaw(dir, SEG(2));
    writeU32(bytes, 28, 5000); // first frame's payload_len
    await writeRaw(dir, SEG(2), bytes);
    for (const mode of ['strict', 'best-effort'] as const) {
      const error = await rejection(new WalReader(dir).replay({ mode }));
      expect(CorruptionError.is(error)).toBe(true);
      expect(error).toMatchObject({ segmentId: 2, offset: 28, path: SEG(2) });
      expect((error as CorruptionError).expected).toMatch(/^0x[0-9a-f]{8}$/);
      expect((error as CorruptionError).actual).toMatch(/^0x[0-9a-f]{8}$/);
    }
    expect(CorruptionError.is(await rejection(WalWriter.resume(dir)))).toBe(true);
  });

  it('an entry id out of sequence is corruption even with valid checksums (full-frame CRC covers the id)', async () => {
    const dir = await backend.create();
    await writeRaw(
      dir,
      SEG(1),
      segment(1, 1, [
        [1, 'a'],
        [3, 'c'],
      ]),
    );
    const error = await rejection(new WalReader(dir).replay({ mode: 'best-effort' }));
    expect(error).toMatchObject({ code: 'CORRUPTION', expected: 2, actual: 3, offset: 28 + 22 + 4 });
  });

  it('a missing middle segment, a misplaced segment and a start id that does not continue are corruption', async () => {
    const gap = await twoSegments();
    await writeRaw(gap, SEG(3), segment(3, 5, [[5, 'e']]));
    await gap.delete(SEG(2));
    expect(await rejection(new WalReader(gap).replay({ mode: 'best-effort' }))).toMatchObject({
      code: 'CORRUPTION',
      expected: 2,
      actual: 3,
    });

    const misplaced = await twoSegments();
    await writeRaw(misplaced, SEG(2), segment(1, 3, [[3, 'c']]));
    expect(await rejection(new WalReader(misplaced).replay({ mode: 'best-effort' }))).toMatchObject({
      code: 'CORRUPTION',
      segmentId: 2,
      offset: 8,
    });

    const discontinuous = await twoSegments();
    await writeRaw(discontinuous, SEG(2), segment(2, 4, [[4, 'd']]));
    expect(await rejection(new WalReader(discontinuous).replay({ mode: 'best-effort' }))).toMatchObject({
      code: 'CORRUPTION',
      segmentId: 2,
      offset: 16,
      expected: 3,
      actual: 4,
    });

    const firstNotOne = await backend.create();
    await writeRaw(firstNotOne, SEG(1), segment(1, 2, [[2, 'b']]));
    expect(CorruptionError.is(await rejection(new WalReader(firstNotOne).replay()))).toBe(true);
  });

  it('damage in a non-final segment is never a torn tail, even when it looks like one', async () => {
    const dir = await twoSegments();
    const first = await readRaw(dir, SEG(1));
    await dir.truncate(SEG(1), first.length - 2);
    for (const mode of ['strict', 'best-effort'] as const) {
      expect(CorruptionError.is(await rejection(new WalReader(dir).replay({ mode })))).toBe(true);
    }
    const zeroed = first.slice();
    zeroed.fill(0, 50);
    await writeRaw(dir, SEG(1), zeroed);
    expect(CorruptionError.is(await rejection(new WalReader(dir).replay({ mode: 'best-effort' })))).toBe(
      true,
    );
    expect(CorruptionError.is(await rejection(WalWriter.resume(dir)))).toBe(true);
  });

  it('rotation after resume continues segment and entry ids', async () => {
    const dir = await twoSegments();
    const w = await WalWriter.resume<string>(dir, { segmentSizeBytes: 80 });
    await w.appendBatch(['e', 'f', 'g']);
    await w.close();
    expect(await segmentPaths(dir)).toEqual([SEG(1), SEG(2), SEG(3), SEG(4)]);
    expect((await new WalReader<string>(dir).replay()).map((r) => r.payload)).toEqual([
      'a',
      'b',
      'c',
      'd',
      'e',
      'f',
      'g',
    ]);
  });
});
