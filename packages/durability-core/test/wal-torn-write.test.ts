import { afterAll, describe, expect, it } from 'vitest';
import {
  bytesCodec,
  CorruptionError,
  type Directory,
  TornTailError,
  WalReader,
  WalWriter,
} from '../src/index.js';
import { encodeSegmentHeader, writeFrame } from '../src/wal/wal-format.js';
import { readRaw, rejection, removeWalTempRoots, walBackends, writeRaw } from './wal-harness.js';

afterAll(removeWalTempRoots);

/**
 * The torn-write rule (FORMAT.md § WAL segment, rows W2/W3 and W8/W9; `encoding/torn-write.ts`) on the
 * WAL: a damaged frame at the end of the FINAL segment is a torn write iff (a) some 512-byte
 * sector-aligned chunk of it is all zero and (b) every byte after it to EOF is zero. Segments are made by
 * hand (not by the writer) so that frames sit exactly where a test needs a sector boundary.
 */

const SEG = (id: number) => `wal/wal_${String(id).padStart(20, '0')}.log`;
const utf8 = (text: string) => new TextEncoder().encode(text);
const codec = { codec: bytesCodec };

function segment(segmentId: number, start: number, payloads: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(28 + payloads.reduce((n, p) => n + 20 + p.length, 0));
  out.set(encodeSegmentHeader({ segmentId, startEntryId: start }), 0);
  let at = 28;
  payloads.forEach((payload, i) => {
    at = writeFrame(out, at, start + i, payload);
  });
  return out;
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

const zeroed = (bytes: Uint8Array, from: number, to = bytes.length) => {
  const copy = bytes.slice();
  copy.fill(0, from, to);
  return copy;
};

const flipped = (bytes: Uint8Array, at: number, mask = 0x10) => {
  const copy = bytes.slice();
  copy[at]! ^= mask;
  return copy;
};

// Layout A, segment 1: header [0, 28); entry 1 "hello" [28, 53); entry 2, 1200 bytes of 0x5a, [53, 1273).
// Entry 2 crosses the sector boundaries at 512 and 1024: its last sector-aligned part is [1024, 1273).
const HELLO = utf8('hello');
const BIG = new Uint8Array(1200).fill(0x5a);
const A = segment(1, 1, [HELLO, BIG]);
const A_LAST = 53;

// Layout B, segment 1: entry 1 (458 bytes of 0x33) [28, 506); entry 2 (BIG) [506, 1726). Entry 2's
// 20-byte header [506, 526) is split by the sector boundary at 512.
const FIRST_B = new Uint8Array(458).fill(0x33);
const B = segment(1, 1, [FIRST_B, BIG]);
const B_LAST = 506;

// A second segment after layout A or B: entry 3.
const LATER = segment(2, 3, [utf8('later')]);

describe.each(walBackends)('WAL torn-write rule ($name)', (backend) => {
  async function wal(files: [string, Uint8Array][]): Promise<Directory> {
    const dir = await backend.create();
    for (const [path, bytes] of files) await writeRaw(dir, path, bytes);
    return dir;
  }

  /** Best-effort keeps exactly `kept` (ids 1..n), strict throws TornTailError, resume cuts and continues. */
  async function expectTorn(bytes: Uint8Array, validBytes: number, kept: Uint8Array[]) {
    const dir = await wal([[SEG(1), bytes]]);
    const reader = new WalReader<Uint8Array>(dir, { ...codec, chunkBytes: 100 });
    const records: unknown[] = [];
    const report = await reader.replayEach((r) => void records.push(r), { mode: 'best-effort' });
    const want = kept.map((payload, i) => ({ entryId: i + 1, payload }));
    expect(records).toEqual(want);
    expect(report).toMatchObject({
      reason: 'zero-filled-tail',
      segmentId: 1,
      path: SEG(1),
      offset: validBytes,
      bytesDropped: bytes.length - validBytes,
      lastEntryId: kept.length,
      nextEntryId: kept.length + 1,
    });
    const strict = await rejection(new WalReader(dir, codec).replay());
    expect(TornTailError.is(strict), String(strict)).toBe(true);
    expect(strict).toMatchObject({ path: SEG(1), segmentId: 1, offset: validBytes });

    const w = await WalWriter.resume<Uint8Array>(dir, codec);
    expect(w.resumeReport).toMatchObject({ reason: 'zero-filled-tail', offset: validBytes });
    expect(await w.append(utf8('next'))).toBe(kept.length + 1);
    await w.close();
    const after = await readRaw(dir, SEG(1));
    expect(after.subarray(0, validBytes)).toEqual(bytes.subarray(0, validBytes));
    expect(after.length).toBe(validBytes + 20 + 4);
    expect(await new WalReader<Uint8Array>(dir, codec).replay()).toEqual([
      ...want,
      { entryId: kept.length + 1, payload: utf8('next') },
    ]);
  }

  /** Both modes reject with CorruptionError at (path, offset); resume refuses and changes no byte. */
  async function expectCorrupt(files: [string, Uint8Array][], path: string, offset: number) {
    const dir = await wal(files);
    for (const mode of ['strict', 'best-effort'] as const) {
      const error = await rejection(new WalReader(dir, { ...codec, chunkBytes: 100 }).replay({ mode }));
      expect(CorruptionError.is(error), `${mode}: ${String(error)}`).toBe(true);
      expect(error).toMatchObject({ path, offset });
    }
    expect(CorruptionError.is(await rejection(WalWriter.resume(dir, codec)))).toBe(true);
    for (const [p, bytes] of files) expect(await readRaw(dir, p)).toEqual(bytes);
  }

  it('the layouts put frames where the tests need them', () => {
    expect(A.length).toBe(1273);
    expect(B.length).toBe(1726);
    expect(new DataView(A.buffer).getUint32(A_LAST, true)).toBe(BIG.length);
    expect(new DataView(B.buffer).getUint32(B_LAST, true)).toBe(BIG.length);
  });

  it('a final frame whose last sector-aligned part is zero, with zeros to EOF, is a zero-filled tail', async () => {
    await expectTorn(zeroed(A, 1024), A_LAST, [HELLO]);
    // The file grew further than the frame: zeros after it too.
    await expectTorn(concat(zeroed(A, 1024), new Uint8Array(700)), A_LAST, [HELLO]);
    // Every sector after the first lost, the frame header's sector intact.
    await expectTorn(zeroed(A, 512), A_LAST, [HELLO]);
    // A lost sector in the middle of the final frame (the disk wrote blocks out of order).
    await expectTorn(zeroed(A, 512, 1024), A_LAST, [HELLO]);
    // A short last chunk: only [1024, 1273) of the frame lost, the rest of it intact.
    await expectTorn(zeroed(A, 1024, 1273), A_LAST, [HELLO]);
  });

  it('the same frame followed by a non-zero byte is corruption', async () => {
    await expectCorrupt([[SEG(1), concat(zeroed(A, 1024), Uint8Array.of(1))]], SEG(1), A_LAST);
    await expectCorrupt(
      [[SEG(1), concat(zeroed(A, 1024), new Uint8Array(600), Uint8Array.of(0x80))]],
      SEG(1),
      A_LAST,
    );
    // ... or by a valid frame: a zero sector in a frame that is not the last one.
    const third = new Uint8Array(25);
    writeFrame(third, 0, 3, utf8('later'));
    await expectCorrupt([[SEG(1), concat(zeroed(A, 512, 1024), third)]], SEG(1), A_LAST);
  });

  it('a frame with a flipped bit and no zero sector is corruption, even at the end of the file', async () => {
    // 53: payload_len (header checksum), 60: entry_id (header checksum), 69: frame_crc, then the payload.
    for (const at of [A_LAST, A_LAST + 7, A_LAST + 16, A_LAST + 20, 600, 1100, A.length - 1]) {
      await expectCorrupt([[SEG(1), flipped(A, at)]], SEG(1), A_LAST);
      await expectCorrupt([[SEG(1), concat(flipped(A, at), new Uint8Array(100))]], SEG(1), A_LAST);
    }
  });

  it('a frame header cut by a lost sector is a zero-filled tail; a non-zero byte after it is corruption', async () => {
    // Every byte from 512 lost: the header keeps [506, 512) (its length, the low bytes of its id).
    await expectTorn(zeroed(B, 512), B_LAST, [FIRST_B]);
    // A header checksum mismatch leaves payload_len untrusted, so condition (b) starts right after the
    // header: a lost sector [512, 1024) with the frame's later bytes present is corruption, as in the
    // record log (row F2/F3), since nothing tells whether those bytes belong to the damaged frame.
    await expectCorrupt([[SEG(1), zeroed(B, 512, 1024)]], SEG(1), B_LAST);
    // A header checksum mismatch without a zero chunk in the header, zeros after it: corruption.
    await expectCorrupt([[SEG(1), flipped(zeroed(B, 526), 510, 1)]], SEG(1), B_LAST);
    // A zero chunk in the header, but a non-zero byte after the header.
    const later = zeroed(B, 512);
    later[900] = 7;
    await expectCorrupt([[SEG(1), later]], SEG(1), B_LAST);
    await expectCorrupt([[SEG(1), concat(zeroed(B, 512), Uint8Array.of(1))]], SEG(1), B_LAST);
  });

  it('the same damage in a non-final segment is corruption', async () => {
    const cases: [Uint8Array, number][] = [
      [zeroed(A, 1024), A_LAST],
      [zeroed(A, 512, 1024), A_LAST],
      [zeroed(A, A_LAST), A_LAST], // all zero from a frame start
      [concat(A, new Uint8Array(7)), A.length], // fewer than 20 bytes after the last frame
      [A.subarray(0, 1200), A_LAST], // a frame running past EOF
      [zeroed(B, 512), B_LAST],
      [flipped(A, 600), A_LAST],
    ];
    for (const [first, offset] of cases) {
      await expectCorrupt(
        [
          [SEG(1), first],
          [SEG(2), LATER],
        ],
        SEG(1),
        offset,
      );
    }
  });

  it('fewer than 20 bytes after the last frame are a torn tail, whatever they hold (row W1)', async () => {
    for (const [tail, reason] of [
      [new Uint8Array(19), 'zero-filled-tail'],
      [Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff), 'torn-tail'], // not even a prefix of entry 3's header
      [Uint8Array.of(0, 0, 0, 0, 9), 'torn-tail'],
    ] as const) {
      const dir = await wal([[SEG(1), concat(A, tail)]]);
      const report = await new WalReader(dir, codec).replayEach(() => undefined, { mode: 'best-effort' });
      expect(report).toMatchObject({ reason, offset: A.length, bytesDropped: tail.length, lastEntryId: 2 });
      expect(TornTailError.is(await rejection(new WalReader(dir, codec).replay()))).toBe(true);
      const w = await WalWriter.resume<Uint8Array>(dir, codec);
      expect(await w.append(utf8('next'))).toBe(3);
      await w.close();
    }
  });
});
