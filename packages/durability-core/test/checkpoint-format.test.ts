import { readFileSync } from 'node:fs';
import { MemoryDirectory } from '@durability/backend-memory';
import { afterAll, describe, expect, it } from 'vitest';
import { readU32, readU64, writeU32, writeU64 } from '../src/encoding/little-endian.js';
import {
  CHECKPOINT_FORMAT_VERSION,
  CHECKPOINT_HEADER_BYTES,
  CheckpointFile,
  CorruptionError,
  checkpointFileName,
  checkpointPathFor,
  crc32,
  DecodeError,
  type Directory,
  DurabilityError,
  FormatError,
  InvalidConfigError,
  LimitExceededError,
  MAX_CHECKPOINT_PAYLOAD_BYTES,
  NotFoundError,
  NotSupportedError,
  parseCheckpointFileName,
  RecoveryManager,
} from '../src/index.js';
import { segmentIndexCodec } from '../src/recovery/segment-index-checkpoint.js';
import { backends, recordingReads, removeTempRoots, writeRaw } from './support/backends.js';
import { traced } from './wal-harness.js';

afterAll(removeTempRoots);

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/v1/${name}`, import.meta.url)));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** The state in fixtures/v1/checkpoint-basic.vckp (written by fixtures/v1/checkpoint-make-basic.mjs). */
const BASIC_STATE = {
  segments: [
    { segmentId: 1, docCount: 100, deletedDocs: [7, 42] },
    { segmentId: 3, docCount: 250, deletedDocs: [] },
  ],
  pendingMerges: [{ mergeId: 9, segmentIds: [1, 3] }],
};
const BASIC_LAST_APPLIED_ID = 2 ** 32 + 42;

/** Rewrites the header CRC after a deliberate header edit, so the edit is judged on its own. */
function resealHeader(file: Uint8Array): Uint8Array {
  writeU32(file, 28, crc32(file.subarray(0, 28)));
  return file;
}

/** Runs `read` and returns the typed error; fails if a state came back. */
async function readError(dir: Directory, path: string, options?: { maxPayloadBytes?: number }) {
  try {
    const read = await new CheckpointFile(dir, options).read(path);
    throw new Error(`expected a typed error, got a state: ${JSON.stringify(read.state)}`);
  } catch (error) {
    if (!DurabilityError.is(error)) throw error;
    return error;
  }
}

describe('checkpoint format v1', () => {
  it('golden fixture v1/checkpoint-basic.vckp decodes byte for byte as FORMAT.md specifies', () => {
    const file = fixture('checkpoint-basic.vckp');
    expect(hex(file.subarray(0, 4))).toBe('56434b50'); // "VCKP"
    expect(readU32(file, 4)).toBe(CHECKPOINT_FORMAT_VERSION);
    expect(hex(file.subarray(8, 16))).toBe('2a00000001000000'); // u64 LE 2^32 + 42
    expect(readU64(file, 8)).toBe(BASIC_LAST_APPLIED_ID);
    const payloadLength = readU64(file, 16)!;
    expect(payloadLength).toBe(125);
    expect(file.length).toBe(CHECKPOINT_HEADER_BYTES + payloadLength);
    const payload = file.subarray(32);
    expect(readU32(file, 24)).toBe(crc32(payload));
    expect(readU32(file, 28)).toBe(crc32(file.subarray(0, 28)));
    expect(hex(file.subarray(24, 32))).toBe('3536227e227d184d');
    // Canonical CBOR: map(2) "segments" first (8 bytes of text sort before 13), keys by encoded bytes.
    expect(hex(payload.subarray(0, 11))).toBe('a2687365676d656e747382');
    expect(segmentIndexCodec().decode(payload).toCheckpointState()).toEqual(BASIC_STATE);
  });

  it.each(backends)('golden fixture: CheckpointFile reads it on $name', async (backend) => {
    const dir = await backend.create();
    await writeRaw(dir, 'checkpoints/basic.vckp', fixture('checkpoint-basic.vckp'));
    const read = await new CheckpointFile(dir).read('checkpoints/basic.vckp');
    expect(read).toEqual({
      path: 'checkpoints/basic.vckp',
      state: BASIC_STATE,
      lastAppliedId: BASIC_LAST_APPLIED_ID,
      payloadBytes: 125,
    });
  });

  it('golden fixture: the writer reproduces it exactly, whatever the insertion order of the state', () => {
    const shuffled = {
      pendingMerges: [{ segmentIds: [1, 3], mergeId: 9 }],
      segments: [
        { deletedDocs: [7, 42], docCount: 100, segmentId: 1 },
        { segmentId: 3, deletedDocs: [], docCount: 250 },
      ],
    };
    expect(new CheckpointFile(new MemoryDirectory()).encode(shuffled, BASIC_LAST_APPLIED_ID)).toEqual(
      fixture('checkpoint-basic.vckp'),
    );
    // The segment index's own form (Sets, any order) normalises to the same payload.
    const recovered = {
      segments: [
        { segmentId: 3, docCount: 250, deletedDocs: new Set<number>() },
        { segmentId: 1, docCount: 100, deletedDocs: new Set([42, 7]) },
      ],
      pendingMerges: [{ mergeId: 9, segmentIds: [3, 1] }],
    };
    const state = RecoveryManager.toCheckpointState(recovered);
    expect(new CheckpointFile(new MemoryDirectory()).encode(state, BASIC_LAST_APPLIED_ID)).toEqual(
      fixture('checkpoint-basic.vckp'),
    );
  });

  it('conventional names are checkpoints/checkpoint_<20-digit id>.vckp; lexical order is numeric order', () => {
    expect(checkpointFileName(42)).toBe('checkpoint_00000000000000000042.vckp');
    expect(checkpointPathFor(0)).toBe('checkpoints/checkpoint_00000000000000000000.vckp');
    expect(parseCheckpointFileName('checkpoint_00000000000000000042.vckp')).toBe(42);
    expect(parseCheckpointFileName('checkpoint_42.vckp')).toBeUndefined();
    expect(
      parseCheckpointFileName('checkpoint_00000000000000000042.vckp.durability-tmp-0123'),
    ).toBeUndefined();
    const names = [9, 10, 100, 2 ** 40].map(checkpointFileName);
    expect([...names].sort()).toEqual(names);
    expect(() => checkpointFileName(-1)).toThrow(RangeError);
  });

  it('options are validated (InvalidConfigError); the cap is at most 256 MiB', () => {
    expect(MAX_CHECKPOINT_PAYLOAD_BYTES).toBe(256 * 1024 * 1024);
    const dir = new MemoryDirectory();
    expect(() => new CheckpointFile(dir, { maxPayloadBytes: MAX_CHECKPOINT_PAYLOAD_BYTES + 1 })).toThrow(
      InvalidConfigError,
    );
    expect(() => new CheckpointFile(dir, { maxPayloadBytes: 0 })).toThrow(InvalidConfigError);
    expect(() => new CheckpointFile(dir, { codec: {} as never })).toThrow(InvalidConfigError);
    expect(() => new CheckpointFile(dir, { bogus: 1 } as never)).toThrow(InvalidConfigError);
  });
});

describe.each(backends)('CheckpointFile on $name', (backend) => {
  it('write and read round-trip; same logical state, same bytes', async () => {
    const dir = await backend.create();
    const file = new CheckpointFile<unknown>(dir);
    const a = {
      b: new Set([3, 1, 2]),
      a: new Map<unknown, unknown>([
        ['y', 1],
        [2, 'x'],
      ]),
      c: [1.5, -0, null],
    };
    const b = {
      c: [1.5, -0, null],
      a: new Map<unknown, unknown>([
        [2, 'x'],
        ['y', 1],
      ]),
      b: new Set([2, 3, 1]),
    };
    const written = await file.write('s/a.vckp', a, 7);
    await file.write('s/b.vckp', b, 7);
    expect(written).toMatchObject({ path: 's/a.vckp', lastAppliedId: 7, durable: false });
    expect(await dir.readFile('s/a.vckp')).toEqual(await dir.readFile('s/b.vckp'));
    const read = await file.read('s/a.vckp');
    expect(read.lastAppliedId).toBe(7);
    expect(read.state).toEqual(a);
    expect(Object.is((read.state as typeof a).c[1], -0)).toBe(true);
  });

  it.runIf(backend.durable)(
    'writeDurable publishes with atomicWriteDurable (one call: temp, sync, rename, sync parent)',
    async () => {
      const t = traced(await backend.create());
      const result = await new CheckpointFile(t.dir).writeDurable('checkpoints/x.vckp', { n: 1 }, 3);
      expect(result.durable).toBe(true);
      expect(t.calls.map((c) => c.op)).toEqual(['dir.atomicWriteDurable']);
      expect((await new CheckpointFile(t.dir).read('checkpoints/x.vckp')).state).toEqual({ n: 1 });
    },
  );

  it.runIf(!backend.durable)(
    'writeDurable is NotSupportedError where the backend cannot promise stable storage; nothing is written',
    async () => {
      const t = traced(await backend.create());
      await expect(new CheckpointFile(t.dir).writeDurable('x.vckp', { n: 1 }, 3)).rejects.toBeInstanceOf(
        NotSupportedError,
      );
      expect(t.calls).toEqual([]);
    },
  );

  it('a state above maxPayloadBytes is LimitExceededError and nothing is written', async () => {
    const t = traced(await backend.create());
    const file = new CheckpointFile<unknown>(t.dir, { maxPayloadBytes: 64 });
    await expect(file.write('x.vckp', { big: 'x'.repeat(100) }, 1)).rejects.toBeInstanceOf(
      LimitExceededError,
    );
    expect(t.calls).toEqual([]);
    await expect(file.write('x.vckp', 1n as never, 1)).rejects.toSatisfy(
      (e) => DurabilityError.is(e) && e.code === 'ENCODE',
    );
    await expect(file.write('x.vckp', {}, -1)).rejects.toBeInstanceOf(RangeError);
  });

  it('a missing checkpoint is NotFoundError', async () => {
    const dir = await backend.create();
    expect(await readError(dir, 'nope.vckp')).toBeInstanceOf(NotFoundError);
  });

  it('a flipped byte anywhere (header or payload, every bit) is a typed error, never a state', async () => {
    const dir = await backend.create();
    const original = fixture('checkpoint-basic.vckp');
    const seen = new Set<string>();
    for (let at = 0; at < original.length; at++) {
      // Every bit in memory; one bit per byte on disk (the same code path, 8× fewer file writes).
      for (const bit of backend.durable ? [at % 8] : [0, 1, 2, 3, 4, 5, 6, 7]) {
        const damaged = original.slice();
        damaged[at]! ^= 1 << bit;
        await writeRaw(dir, 'c.vckp', damaged);
        const error = await readError(dir, 'c.vckp');
        // Header bytes fail the header CRC; payload bytes fail the payload CRC: always corruption.
        expect(error, `byte ${at} bit ${bit}`).toBeInstanceOf(CorruptionError);
        expect(error.offset).toBe(at < 28 ? 28 : at < 32 ? 28 : 32);
        seen.add(error.message.split(' (')[0]!);
      }
    }
    expect(seen.size).toBe(2); // header checksum mismatch, payload checksum mismatch
  });

  it('truncated at every length, or with bytes appended, is CorruptionError (a checkpoint is written atomically)', async () => {
    const dir = await backend.create();
    const original = fixture('checkpoint-basic.vckp');
    for (let length = 0; length < original.length; length++) {
      await writeRaw(dir, 'c.vckp', original.subarray(0, length));
      const error = await readError(dir, 'c.vckp');
      expect(error, `length ${length}`).toBeInstanceOf(CorruptionError);
      expect(error.message).toMatch(length < 32 ? /shorter than its 32-byte header/ : /payload is truncated/);
    }
    await writeRaw(dir, 'c.vckp', Uint8Array.from([...original, 0]));
    expect((await readError(dir, 'c.vckp')).message).toMatch(/bytes after its payload/);
  });

  it('a foreign file is a FormatError; an unknown version (valid header CRC) is a FormatError', async () => {
    const dir = await backend.create();
    await writeRaw(dir, 'c.vckp', new TextEncoder().encode('{"not":"a checkpoint"}'));
    expect(await readError(dir, 'c.vckp')).toBeInstanceOf(FormatError);
    const newer = fixture('checkpoint-basic.vckp');
    writeU32(newer, 4, 2);
    await writeRaw(dir, 'c.vckp', resealHeader(newer));
    const error = await readError(dir, 'c.vckp');
    expect(error).toBeInstanceOf(FormatError);
    expect(error).toMatchObject({ offset: 4, expected: 1, actual: 2 });
    const wrongMagic = fixture('checkpoint-basic.vckp');
    wrongMagic.set([0x56, 0x57, 0x41, 0x4c], 0); // "VWAL" under a valid CRC
    await writeRaw(dir, 'c.vckp', resealHeader(wrongMagic));
    expect(await readError(dir, 'c.vckp')).toMatchObject({ code: 'FORMAT', offset: 0 });
    const hugeId = fixture('checkpoint-basic.vckp');
    writeU32(hugeId, 12, 0xffff_ffff);
    await writeRaw(dir, 'c.vckp', resealHeader(hugeId));
    expect(await readError(dir, 'c.vckp')).toMatchObject({ code: 'FORMAT', offset: 8 });
  });

  it('a length above the cap is refused before any read or allocation sized by it', async () => {
    const inner = await backend.create();
    const { dir, readLengths } = recordingReads(inner);
    const claims = [
      { len: MAX_CHECKPOINT_PAYLOAD_BYTES + 1, error: CorruptionError, options: {} },
      { len: 2 ** 53, error: CorruptionError, options: {} },
      { len: 4096, error: LimitExceededError, options: { maxPayloadBytes: 1024 } },
      { len: MAX_CHECKPOINT_PAYLOAD_BYTES, error: CorruptionError, options: {} }, // at the cap: length mismatch
    ];
    for (const claim of claims) {
      const file = fixture('checkpoint-basic.vckp');
      if (claim.len === 2 ** 53) writeU32(file, 20, 0x20_0000);
      else writeU64(file, 16, claim.len);
      await writeRaw(inner, 'c.vckp', resealHeader(file));
      readLengths.length = 0;
      const error = await readError(dir, 'c.vckp', claim.options);
      expect(error).toBeInstanceOf(claim.error);
      expect(Math.max(...readLengths)).toBeLessThanOrEqual(CHECKPOINT_HEADER_BYTES);
    }
  });

  it('a checksum-valid payload the codec cannot decode (or that is not canonical) is a DecodeError', async () => {
    const dir = await backend.create();
    const file = new CheckpointFile<unknown>(dir);
    const { encodeCheckpointFile } = await import('../src/checkpoint/checkpoint-format.js');
    for (const payload of [[0xff], [0x18, 0x05], [0xa2, 0x61, 0x62, 0x01, 0x61, 0x61, 0x02], [0x82, 0x01]]) {
      await writeRaw(dir, 'c.vckp', encodeCheckpointFile(Uint8Array.from(payload), 1));
      await expect(file.read('c.vckp'), hex(Uint8Array.from(payload))).rejects.toBeInstanceOf(DecodeError);
    }
  });
});
