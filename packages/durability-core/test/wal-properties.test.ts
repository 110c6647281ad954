import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { readU32, readU64 } from '../src/encoding/little-endian.js';
import {
  CorruptionError,
  crc32,
  type Directory,
  type StopReason,
  TornTailError,
  WalReader,
  WalWriter,
  type WalWriterOptions,
} from '../src/index.js';
import {
  readRaw,
  rejection,
  removeWalTempRoots,
  segmentPaths,
  type WalBackend,
  walBackends,
  writeRaw,
} from './wal-harness.js';

afterAll(removeWalTempRoots);

/**
 * Damage tests use lowercase strings: their CBOR ends in a non-zero byte, so zeroing a frame's end always
 * changes it. The sequence test uses any JSON-like value.
 */
const entryArb = fc.stringMatching(/^[a-z]{1,24}$/);
const valueArb: fc.Arbitrary<unknown> = fc.oneof(
  entryArb,
  fc.integer(),
  fc.constant(0),
  fc.constant(null),
  fc.dictionary(fc.stringMatching(/^[a-z]{1,4}$/), fc.oneof(fc.integer(), fc.string(), fc.boolean()), {
    maxKeys: 3,
  }),
);

/** Entries whose frames often cross 512-byte sector boundaries (CBOR strings of up to 1400 bytes). */
const sizedEntryArb = fc.oneof(
  entryArb,
  fc
    .tuple(fc.constantFrom(...'abcxyz'), fc.integer({ min: 25, max: 1400 }))
    .map(([letter, length]) => letter.repeat(length)),
);

const SECTOR = 512;
const allZero = (bytes: Uint8Array) => bytes.every((b) => b === 0);

/**
 * Condition (a) of the torn-write rule, written independently of `hasZeroSector`: some run of `bytes`
 * (which start at file offset `at`) between two multiples of 512 is all zero.
 */
function zeroChunk(bytes: Uint8Array, at: number): boolean {
  const chunkIsZero = new Map<number, boolean>();
  bytes.forEach((b, i) => {
    const chunk = Math.floor((at + i) / SECTOR);
    chunkIsZero.set(chunk, (chunkIsZero.get(chunk) ?? true) && b === 0);
  });
  return [...chunkIsZero.values()].some(Boolean);
}

type Verdict =
  | { kind: 'clean' }
  | { kind: 'torn'; reason: StopReason; offset: number; frames: number }
  | { kind: 'corrupt'; offset: number };

/**
 * A reference for the decision table of FORMAT.md § WAL segment, for a segment the writer wrote with
 * `writerHeader` as its header, in which ranges were since zeroed and bytes appended. Every byte of the
 * header is known to the reader here (segment 1, or a previous segment fixes the start id).
 */
function classify(bytes: Uint8Array, writerHeader: Uint8Array, isFinal: boolean): Verdict {
  const torn = (reason: StopReason, offset: number, frames: number): Verdict =>
    isFinal ? { kind: 'torn', reason, offset, frames } : { kind: 'corrupt', offset };
  if (crc32(bytes.subarray(0, 24)) !== readU32(bytes, 24)) {
    // S2/S3: torn iff the header is a prefix of the writer's then zeros, and every later byte is zero.
    let prefix = 0;
    while (prefix < 28 && bytes[prefix] === writerHeader[prefix]) prefix++;
    return allZero(bytes.subarray(prefix))
      ? torn('torn-segment-header', 0, 0)
      : { kind: 'corrupt', offset: 0 };
  }
  for (let p = 28, frames = 0; ; frames++) {
    const left = bytes.length - p;
    if (left === 0) return { kind: 'clean' }; // W0
    if (left < 20) return torn(allZero(bytes.subarray(p)) ? 'zero-filled-tail' : 'torn-tail', p, frames); // W1
    const headerCrc = crc32(bytes.subarray(p, p + 12));
    if (headerCrc !== readU32(bytes, p + 12)) {
      // W2/W3: the length is untrusted; the rule looks at the 20 header bytes.
      const isTorn = zeroChunk(bytes.subarray(p, p + 20), p) && allZero(bytes.subarray(p + 20));
      return isTorn ? torn('zero-filled-tail', p, frames) : { kind: 'corrupt', offset: p };
    }
    const end = p + 20 + readU32(bytes, p);
    if (end > bytes.length) return torn('torn-tail', p, frames); // W7
    if (crc32(bytes.subarray(p + 20, end), headerCrc) !== readU32(bytes, p + 16)) {
      // W8/W9
      const isTorn = zeroChunk(bytes.subarray(p, end), p) && allZero(bytes.subarray(end));
      return isTorn ? torn('zero-filled-tail', p, frames) : { kind: 'corrupt', offset: p };
    }
    p = end;
  }
}

function concatBytes(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

type Op =
  | { kind: 'append'; entry: unknown }
  | { kind: 'batch'; entries: unknown[] }
  | { kind: 'flush' }
  | { kind: 'sync' }
  | { kind: 'reopen' }
  | { kind: 'crash' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: valueArb.map((entry) => ({ kind: 'append' as const, entry })) },
  {
    weight: 2,
    arbitrary: fc.array(valueArb, { maxLength: 6 }).map((entries) => ({ kind: 'batch' as const, entries })),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'flush' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'sync' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'reopen' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'crash' as const }) },
);

const runs = (backend: WalBackend, memory: number, fs: number) => ({
  numRuns: backend.name === 'memory' ? memory : fs,
});

/** Builds a WAL of `entries` with small segments; returns its files' bytes. */
async function buildWal(backend: WalBackend, entries: string[], options: WalWriterOptions<string>) {
  const dir = await backend.create();
  const w = await WalWriter.create<string>(dir, options);
  await w.appendBatch(entries);
  await w.close();
  const files = new Map<string, Uint8Array>();
  for (const path of await segmentPaths(dir)) files.set(path, await readRaw(dir, path));
  return { dir, files };
}

/** Puts the WAL back to exactly `files` (and nothing else in `wal/`). */
async function restore(dir: Directory, files: Map<string, Uint8Array>): Promise<void> {
  await dir.delete('wal');
  for (const [path, bytes] of files) await writeRaw(dir, path, bytes);
}

/** Frame boundaries of a segment (offsets where a frame starts, plus its length) and its start id. */
function layout(segment: Uint8Array): { start: number; boundaries: number[] } {
  const boundaries = [28];
  let at = 28;
  while (at < segment.length) {
    at += 20 + readU32(segment, at);
    boundaries.push(at);
  }
  return { start: readU64(segment, 16)!, boundaries };
}

const expected = (entries: unknown[], count: number) =>
  entries.slice(0, count).map((payload, i) => ({ entryId: i + 1, payload }));

describe.each(walBackends)('WAL properties ($name)', (backend) => {
  it('any sequence of appends, batches, flushes, rotations, reopens and crashes replays exactly', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(opArb, { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 49, max: 160 }),
        fc.constantFrom(0, 40, 64 * 1024),
        async (ops, segmentSizeBytes, bufferBytes) => {
          const options = { segmentSizeBytes, bufferBytes };
          let dir = await backend.create();
          let w = await WalWriter.create<unknown>(dir, options);
          const model: unknown[] = [];
          for (const op of ops) {
            if (op.kind === 'append') {
              expect(await w.append(op.entry)).toBe(model.length + 1);
              model.push(op.entry);
            } else if (op.kind === 'batch') {
              const ids = await w.appendBatch(op.entries);
              expect(ids).toEqual(op.entries.map((_, i) => model.length + 1 + i));
              model.push(...op.entries);
            } else if (op.kind === 'flush') {
              await w.flush();
            } else if (op.kind === 'sync') {
              await w.flushAndSync();
            } else if (op.kind === 'reopen') {
              await w.close();
              w = await WalWriter.resume<unknown>(dir, options);
              expect(w.lockTakeover).toBeUndefined();
            } else {
              // A crash after a flush: the next process sees every flushed byte and a stale lock.
              await w.flush();
              const next = await backend.snapshot(dir);
              await w.close();
              dir = next;
              w = await WalWriter.resume<unknown>(dir, options);
              expect(w.lockTakeover?.reason).toBe('abandoned-in-process');
            }
            expect(w.lastEntryId).toBe(model.length === 0 ? undefined : model.length);
          }
          await w.close();
          const want = expected(model, model.length);
          expect(await new WalReader(dir).replay()).toEqual(want);
          expect(await new WalReader(dir, { chunkBytes: 7 }).replay({ mode: 'best-effort' })).toEqual(want);
        },
      ),
      runs(backend, 120, 15),
    );
  });

  it('a final segment cut at any byte: best-effort replays the prefix, strict rejects, resume continues', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entryArb, { minLength: 1, maxLength: 12 }), async (entries) => {
        const { dir, files } = await buildWal(backend, entries, { segmentSizeBytes: 120 });
        const finalPath = [...files.keys()].at(-1)!;
        const final = files.get(finalPath)!;
        const { start, boundaries } = layout(final);
        for (let cut = 0; cut <= final.length; cut++) {
          await restore(dir, files);
          await dir.truncate(finalPath, cut);
          const boundary = boundaries.filter((b) => b <= cut).at(-1);
          const survivors = boundary === undefined ? start - 1 : start - 1 + boundaries.indexOf(boundary);
          const reader = new WalReader<string>(dir);
          const records: unknown[] = [];
          const report = await reader.replayEach((r) => void records.push(r), { mode: 'best-effort' });
          expect(records).toEqual(expected(entries, survivors));
          if (cut === boundary) {
            expect(report.reason).toBe('clean-end');
            expect(await reader.replay()).toEqual(expected(entries, survivors));
          } else {
            expect(report.reason).toBe(cut < 28 ? 'torn-segment-header' : 'torn-tail');
            expect(report.offset).toBe(boundary ?? 0);
            expect(report.bytesDropped).toBe(cut - (boundary ?? 0));
            expect(TornTailError.is(await rejection(reader.replay()))).toBe(true);
          }
          if (backend.name === 'fs' && cut % 7 !== 0 && cut !== final.length) continue;
          const w = await WalWriter.resume<string>(dir);
          expect(w.lastEntryId).toBe(survivors === 0 ? undefined : survivors);
          expect(await w.append('next')).toBe(survivors + 1);
          await w.close();
          expect(await reader.replay()).toEqual([
            ...expected(entries, survivors),
            { entryId: survivors + 1, payload: 'next' },
          ]);
        }
      }),
      runs(backend, 30, 4),
    );
  });

  it('zeroed ranges (lost sectors, zero-filled ends) and bytes after EOF follow the decision table: torn only at the end of the final segment, by the torn-write rule', async () => {
    const seen = {
      clean: 0,
      tornAtFrameStart: 0,
      tornInsideFrame: 0,
      segmentHeader: 0,
      corruptFinal: 0,
      corruptEarlier: 0,
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(sizedEntryArb, { minLength: 1, maxLength: 8 }),
        fc.record({
          victim: fc.nat(),
          // Where the zeros start: anywhere, at a frame start, or at a sector boundary.
          fromKind: fc.constantFrom('any', 'frame-start', 'sector'),
          from: fc.nat(),
          // Zero to EOF, or to the end of the sector holding `from` (or of one or two more sectors).
          sectors: fc.option(fc.nat(2), { nil: undefined }),
          tail: fc.constantFrom('none', 'none', 'none', 'zeros', 'non-zero'),
          tailBytes: fc.nat(600),
        }),
        async (entries, damage) => {
          const { dir, files } = await buildWal(backend, entries, { segmentSizeBytes: 2048 });
          const paths = [...files.keys()];
          const finalIndex = paths.length - 1;
          const index = damage.victim % 3 === 0 && finalIndex > 0 ? damage.victim % finalIndex : finalIndex;
          const path = paths[index]!;
          const original = files.get(path)!;
          const starts = layout(original).boundaries.slice(0, -1);
          const sectors = Math.ceil(original.length / SECTOR);
          const from =
            damage.fromKind === 'frame-start'
              ? starts[damage.from % starts.length]!
              : damage.fromKind === 'sector'
                ? (damage.from % sectors) * SECTOR
                : damage.from % original.length;
          const to =
            damage.sectors === undefined
              ? original.length
              : Math.min(original.length, (Math.floor(from / SECTOR) + 1 + damage.sectors) * SECTOR);
          const damaged = original.slice();
          damaged.fill(0, from, to);
          const extra = new Uint8Array(
            damage.tail === 'none' ? 0 : damage.tailBytes + (damage.tail === 'zeros' ? 0 : 1),
          );
          if (damage.tail === 'non-zero') extra[extra.length - 1] = 1 + (damage.tailBytes % 255);
          const bytes = concatBytes(damaged, extra);
          await restore(dir, new Map([...files, [path, bytes]]));

          const verdict = classify(bytes, original.subarray(0, 28), index === finalIndex);
          const before = paths
            .slice(0, index)
            .reduce((n, p) => n + layout(files.get(p)!).boundaries.length - 1, 0);
          const reader = new WalReader<string>(dir);
          if (verdict.kind === 'corrupt') {
            if (index === finalIndex) seen.corruptFinal++;
            else seen.corruptEarlier++;
            await expectCorruption(dir, path, verdict.offset);
            return;
          }
          if (verdict.kind === 'clean') {
            seen.clean++;
            expect(await reader.replay()).toEqual(expected(entries, entries.length));
            return;
          }
          if (verdict.reason === 'torn-segment-header') seen.segmentHeader++;
          else if (from <= verdict.offset) seen.tornAtFrameStart++;
          else seen.tornInsideFrame++;
          const survivors = before + verdict.frames;
          const report = await reader.replayEach(() => undefined, { mode: 'best-effort' });
          expect(report).toMatchObject({
            reason: verdict.reason,
            path,
            offset: verdict.offset,
            bytesDropped: bytes.length - verdict.offset,
            lastEntryId: survivors === 0 ? undefined : survivors,
          });
          expect(
            await new WalReader<string>(dir, { chunkBytes: 100 }).replay({ mode: 'best-effort' }),
          ).toEqual(expected(entries, survivors));
          const strict = await rejection(reader.replay());
          expect(TornTailError.is(strict), String(strict)).toBe(true);
          expect(strict).toMatchObject({ path, offset: verdict.offset });
          const w = await WalWriter.resume<string>(dir);
          expect(w.resumeReport).toMatchObject({ reason: verdict.reason, offset: verdict.offset });
          expect(await w.append('after')).toBe(survivors + 1);
          await w.close();
          expect(await reader.replay()).toEqual([
            ...expected(entries, survivors),
            { entryId: survivors + 1, payload: 'after' },
          ]);
        },
      ),
      runs(backend, 150, 20),
    );
    // The generator reaches every branch of the rule (checked where there are enough runs); a zeroed
    // range that changes nothing (`clean`) is rare and not required.
    if (backend.name === 'memory') {
      const { clean: _clean, ...branches } = seen;
      for (const [what, count] of Object.entries(branches)) expect(count, what).toBeGreaterThan(0);
    }
  });

  it('any single flipped byte of a non-final segment is corruption in both modes, never repaired', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(entryArb, { minLength: 4, maxLength: 12 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (entries, pick, mask) => {
          const { dir, files } = await buildWal(backend, entries, { segmentSizeBytes: 80 });
          const paths = [...files.keys()];
          fc.pre(paths.length >= 2);
          const victim = paths[pick % (paths.length - 1)]!;
          const original = files.get(victim)!;
          const flipped = original.slice();
          const at = Math.floor(pick / paths.length) % original.length;
          flipped[at]! ^= mask;
          await restore(dir, new Map([...files, [victim, flipped]]));
          await expectCorruption(dir, victim);
        },
      ),
      runs(backend, 150, 25),
    );
  });

  it('any flipped byte of any segment holding frames, the final one included, is corruption in both modes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(entryArb, { minLength: 1, maxLength: 12 }),
        fc.nat(),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (entries, pickSegment, pickByte, mask) => {
          const { dir, files } = await buildWal(backend, entries, { segmentSizeBytes: 120 });
          const paths = [...files.keys()];
          const victim = paths[pickSegment % paths.length]!;
          const original = files.get(victim)!;
          fc.pre(original.length > 28);
          const flipped = original.slice();
          flipped[pickByte % original.length]! ^= mask;
          await restore(dir, new Map([...files, [victim, flipped]]));
          await expectCorruption(dir, victim);
        },
      ),
      runs(backend, 250, 40),
    );
  });
});

/** Strict and best-effort replay both reject with a located `CorruptionError`; resume too, changing nothing. */
async function expectCorruption(dir: Directory, path: string, offset?: number): Promise<void> {
  const before = await readRaw(dir, path);
  for (const mode of ['strict', 'best-effort'] as const) {
    const error = await rejection(new WalReader<string>(dir).replay({ mode }));
    expect(CorruptionError.is(error), String(error)).toBe(true);
    expect((error as CorruptionError).path).toBe(path);
    expect((error as CorruptionError).offset).toBeTypeOf('number');
    if (offset !== undefined) expect((error as CorruptionError).offset).toBe(offset);
    expect((error as CorruptionError).segmentId).toBeTypeOf('number');
  }
  expect(CorruptionError.is(await rejection(WalWriter.resume<string>(dir)))).toBe(true);
  expect(await readRaw(dir, path)).toEqual(before);
}
