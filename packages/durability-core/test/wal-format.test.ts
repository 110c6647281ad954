import { readdirSync, readFileSync } from 'node:fs';
import { MemoryDirectory } from '@durability/backend-memory';
import { afterAll, describe, expect, it } from 'vitest';
import { cborCodec } from '../src/codec/codec.js';
import { readU32, readU64 } from '../src/encoding/little-endian.js';
import {
  type Directory,
  FormatError,
  parseSegmentFileName,
  segmentFileName,
  TornTailError,
  type WalEntry,
  WalReader,
  WalWriter,
  walEntrySchema,
} from '../src/index.js';
import { readRaw, rejection, removeWalTempRoots, walBackends, writeRaw } from './wal-harness.js';

afterAll(removeWalTempRoots);

const FIXTURES = new URL('./fixtures/v1/', import.meta.url);

/** The fixture's files as `wal/<name>` → bytes. */
function fixture(name: string): Map<string, Uint8Array> {
  const dir = new URL(`${name}/wal/`, FIXTURES);
  return new Map(
    readdirSync(dir).map((file) => [`wal/${file}`, new Uint8Array(readFileSync(new URL(file, dir)))]),
  );
}

async function load(dir: Directory, files: Map<string, Uint8Array>): Promise<Directory> {
  for (const [path, bytes] of files) await writeRaw(dir, path, bytes);
  return dir;
}

const ENTRIES: WalEntry[] = [
  { type: 'AddSegment', segmentId: 1, docCount: 100 },
  { type: 'DeleteDocuments', deletes: [[1, 42]] },
  { type: 'StartMerge', mergeId: 7, segmentIds: [1, 2] },
  { type: 'EndMerge', mergeId: 7, newSegmentId: 3, docCount: 150, segmentIds: [1, 2] },
  { type: 'Checkpoint', checkpointPath: 'checkpoints/c1.ckp', lastEntryId: 4 },
];

const SEG1 = 'wal/wal_00000000000000000001.log';
const SEG2 = 'wal/wal_00000000000000000002.log';
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('WAL format v1: golden fixture wal-two-segments', () => {
  const files = fixture('wal-two-segments');

  it('decodes byte for byte as FORMAT.md specifies', () => {
    expect([...files.keys()]).toEqual([SEG1, SEG2]);
    const layout = [
      {
        path: SEG1,
        length: 202,
        // 'VWAL' | version 1 | segment_id 1 | start_entry_id 1 | header_crc
        header: '5657414c' + '01000000' + '0100000000000000' + '0100000000000000' + '58b76321',
        frames: [
          { offset: 28, length: 39, entryId: 1, headerCrc: 0xdbd6f486, frameCrc: 0xf5b9b045 },
          { offset: 87, length: 35, entryId: 2, headerCrc: 0x565fc81a, frameCrc: 0x2c354dac },
          { offset: 142, length: 40, entryId: 3, headerCrc: 0xeb676c8a, frameCrc: 0xf87b0f64 },
        ],
      },
      {
        path: SEG2,
        length: 195,
        header: '5657414c' + '01000000' + '0200000000000000' + '0400000000000000' + 'ce0d4b40',
        frames: [
          { offset: 28, length: 63, entryId: 4, headerCrc: 0x992261e0, frameCrc: 0x602a126a },
          { offset: 111, length: 64, entryId: 5, headerCrc: 0x03567ffb, frameCrc: 0x55a748e2 },
        ],
      },
    ];
    const codec = cborCodec<WalEntry>({ schema: walEntrySchema });
    for (const segment of layout) {
      const bytes = files.get(segment.path)!;
      expect(bytes.length).toBe(segment.length);
      expect(hex(bytes.subarray(0, 28))).toBe(segment.header);
      for (const frame of segment.frames) {
        const at = frame.offset;
        expect(readU32(bytes, at)).toBe(frame.length);
        expect(readU64(bytes, at + 4)).toBe(frame.entryId);
        expect(readU32(bytes, at + 12)).toBe(frame.headerCrc);
        expect(readU32(bytes, at + 16)).toBe(frame.frameCrc);
        const payload = bytes.subarray(at + 20, at + 20 + frame.length);
        expect(codec.decode(payload)).toEqual(ENTRIES[frame.entryId - 1]);
      }
      const last = segment.frames.at(-1)!;
      expect(last.offset + 20 + last.length).toBe(segment.length);
    }
  });

  it('the writer reproduces it exactly', async () => {
    const dir = new MemoryDirectory();
    const w = await WalWriter.create<WalEntry>(dir, { schema: walEntrySchema, segmentSizeBytes: 202 });
    for (const entry of ENTRIES.slice(0, 2)) await w.append(entry);
    await w.appendBatch(ENTRIES.slice(2));
    await w.close();
    expect(await dir.list('wal')).toEqual([...files.keys()].map((p) => p.slice(4)));
    for (const [path, bytes] of files) expect(hex(await readRaw(dir, path))).toBe(hex(bytes));
  });

  describe.each(walBackends)('on $name', (backend) => {
    it('replays to the five entries with ids 1..5', async () => {
      const dir = await load(await backend.create(), files);
      const records = await new WalReader<WalEntry>(dir, { schema: walEntrySchema }).replay();
      expect(records).toEqual(ENTRIES.map((payload, i) => ({ entryId: i + 1, payload })));
    });

    it('wal-torn-tail: best-effort keeps ids 1..4 and reports the cut; strict rejects; resume repairs', async () => {
      const dir = await load(await backend.create(), fixture('wal-torn-tail'));
      const reader = new WalReader<WalEntry>(dir, { schema: walEntrySchema });
      const ids: number[] = [];
      const report = await reader.replayEach((r) => void ids.push(r.entryId), { mode: 'best-effort' });
      expect(ids).toEqual([1, 2, 3, 4]);
      expect(report).toEqual({
        mode: 'best-effort',
        reason: 'torn-tail',
        segmentId: 2,
        path: SEG2,
        offset: 111,
        bytesDropped: 30,
        segmentCount: 2,
        entriesReplayed: 4,
        firstEntryId: 1,
        lastEntryId: 4,
        nextEntryId: 5,
      });
      const strict = await rejection(reader.replay());
      expect(TornTailError.is(strict)).toBe(true);
      expect(strict).toMatchObject({ path: SEG2, segmentId: 2, offset: 111 });
      const w = await WalWriter.resume<WalEntry>(dir, { schema: walEntrySchema, segmentSizeBytes: 202 });
      expect(await w.append(ENTRIES[4]!)).toBe(5);
      await w.close();
      expect(hex(await readRaw(dir, SEG2))).toBe(hex(files.get(SEG2)!));
    });
  });
});

describe('WAL segment file names', () => {
  it('are wal_<20-digit id>.log, so lexical order is numeric order', () => {
    expect(segmentFileName(1)).toBe('wal_00000000000000000001.log');
    expect(segmentFileName(42)).toBe('wal_00000000000000000042.log');
    expect(segmentFileName(Number.MAX_SAFE_INTEGER)).toBe('wal_00009007199254740991.log');
    const ids = [10, 9, 100, 1, 2 ** 40];
    const names = ids.map(segmentFileName);
    expect(names.slice().sort().map(parseSegmentFileName)).toEqual(ids.slice().sort((a, b) => a - b));
    expect(() => segmentFileName(0)).toThrow(RangeError);
    expect(() => segmentFileName(1.5)).toThrow(RangeError);
  });

  it('parsing ignores unrelated names and rejects segment-like names that are not canonical', () => {
    for (const name of ['.lock', '.lock.takeover', 'README', 'wal_1.log.tmp', 'wal_x.log']) {
      expect(parseSegmentFileName(name)).toBeUndefined();
    }
    for (const name of [
      'wal_1.log',
      'wal_000000000000000000001.log',
      'wal_00000000000000000000.log',
      'wal_99999999999999999999.log',
    ]) {
      expect(() => parseSegmentFileName(name)).toThrow(FormatError);
    }
  });
});
