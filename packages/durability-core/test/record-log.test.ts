import { afterAll, describe, expect, it } from 'vitest';
import {
  CorruptionError,
  cborCodec,
  crc32,
  DecodeError,
  type Directory,
  FormatError,
  LimitExceededError,
  NotFoundError,
  RecordLogReader,
  type RecordLogReport,
  RecordLogWriter,
  TornTailError,
} from '../src/index.js';
import {
  encodeFrame,
  RECORD_FRAME_HEADER_BYTES,
  RECORD_LOG_MAX_RECORD_BYTES,
} from '../src/record-log/format.js';
import {
  backends,
  concatBytes,
  recordingReads,
  removeTempRoots,
  utf8,
  writeRaw,
} from './support/backends.js';
import { instrument } from './support/instrument.js';

afterAll(removeTempRoots);

const PATH = 'logs/records.vrlg';
const HEADER = Uint8Array.of(0x56, 0x52, 0x4c, 0x47, 1, 0, 0, 0);
const FRAME = RECORD_FRAME_HEADER_BYTES; // 12: len | header_crc | payload_crc

/** Payloads chosen to put zero bytes at awkward places: an empty record, leading and trailing zeros. */
const RECORDS = [
  utf8('hello'),
  new Uint8Array(0),
  Uint8Array.of(0, 0, 1),
  utf8('a longer record, 30 bytes long'),
  Uint8Array.of(7, 0),
];

/** The log RECORDS make, built frame by frame, and the end offset of each frame. */
function buildLog(records: Uint8Array[]): { bytes: Uint8Array; frameEnds: number[] } {
  const frameEnds = [HEADER.length];
  for (const record of records) frameEnds.push(frameEnds.at(-1)! + FRAME + record.length);
  return { bytes: concatBytes([HEADER, ...records.map(encodeFrame)]), frameEnds };
}

const isZero = (bytes: Uint8Array) => bytes.every((b) => b === 0);

/** A 12-byte frame header claiming `len` with a VALID header_crc (and an arbitrary payload_crc). */
function checkedHeader(len: number, payloadCrc = 0xaaaaaaaa): Uint8Array {
  const header = new Uint8Array(FRAME);
  const view = new DataView(header.buffer);
  view.setUint32(0, len, true);
  view.setUint32(4, crc32(header.subarray(0, 4)), true);
  view.setUint32(8, payloadCrc, true);
  return header;
}

/** The start of the frame holding byte `at` of a log whose frames end at `frameEnds`. */
const frameStartOf = (frameEnds: number[], at: number) => frameEnds.filter((end) => end <= at).at(-1)!;

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe.each(backends)('record log on $name', (backend) => {
  async function logWith(bytes: Uint8Array): Promise<Directory> {
    const dir = await backend.create();
    await writeRaw(dir, PATH, bytes);
    return dir;
  }

  it('round-trips records written by the writer', async () => {
    const dir = await backend.create();
    const writer = await RecordLogWriter.create(dir, PATH);
    for (const record of RECORDS) await writer.append(record);
    await writer.close();
    const { records, report } = await new RecordLogReader(dir, PATH).readAll();
    expect(records).toEqual(RECORDS);
    const { bytes, frameEnds } = buildLog(RECORDS);
    expect(report).toEqual<RecordLogReport>({
      path: PATH,
      reason: 'clean-end',
      records: RECORDS.length,
      validBytes: frameEnds.at(-1)!,
      droppedBytes: 0,
    });
    expect(await dir.readFile(PATH)).toEqual(bytes);
  });

  it('writes a checksummed frame for an empty record whatever backs its empty view', async () => {
    // With Node's zlib.crc32 unguarded, these empty views got crc 0: an all-zero frame, read back as a
    // zero-filled tail (the record silently dropped) or, with records after it, as corruption.
    const dir = await backend.create();
    const writer = await RecordLogWriter.create(dir, PATH);
    const empties = [new Uint8Array(new ArrayBuffer(0)), new Uint8Array(0).subarray(0, 0), new Uint8Array(0)];
    for (const empty of empties) await writer.append(empty);
    await writer.append(utf8('after'));
    await writer.close();
    expect(await dir.readFile(PATH)).toEqual(buildLog([...empties, utf8('after')]).bytes);
    expect((await new RecordLogReader(dir, PATH).readAll()).records).toEqual([...empties, utf8('after')]);
  });

  it('round-trips structured records through a CBOR codec', async () => {
    const dir = await backend.create();
    const codec = cborCodec<{ id: number; tags: string[] }>();
    const writer = await RecordLogWriter.create(dir, PATH, { codec });
    const values = Array.from({ length: 50 }, (_, id) => ({ id, tags: ['x'.repeat(id)] }));
    for (const value of values) await writer.append(value);
    await writer.flushAndSync();
    await writer.close();
    const seen: number[] = [];
    const report = await new RecordLogReader(dir, PATH, { codec }).readEach((value, index) => {
      expect(value).toEqual(values[index]);
      seen.push(index);
    });
    expect(seen).toEqual(values.map((_, i) => i));
    expect(report.records).toBe(50);
  });

  it('a torn write at EVERY byte offset: strict throws TornTailError (or reads clean at a frame boundary), best-effort returns the exact prefix', async () => {
    const { bytes, frameEnds } = buildLog(RECORDS);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const dir = await logWith(bytes.slice(0, cut));
      const reader = new RecordLogReader(dir, PATH, { chunkBytes: 7 });
      const { records, report } = await reader.readAll({ mode: 'best-effort' });
      if (cut < HEADER.length) {
        expect(report).toEqual({
          path: PATH,
          reason: 'torn-header',
          records: 0,
          validBytes: 0,
          droppedBytes: cut,
        });
        expect(records).toEqual([]);
      } else {
        const complete = frameEnds.filter((end) => end <= cut).length - 1;
        const validBytes = frameEnds[complete]!;
        const reason =
          cut === validBytes
            ? 'clean-end'
            : isZero(bytes.subarray(validBytes, cut))
              ? 'zero-filled-tail'
              : 'torn-tail';
        expect(report, `cut at ${cut}`).toEqual({
          path: PATH,
          reason,
          records: complete,
          validBytes,
          droppedBytes: cut - validBytes,
        });
        expect(records).toEqual(RECORDS.slice(0, complete));
      }
      if (report.reason === 'clean-end') {
        expect((await reader.readAll()).records).toEqual(records);
      } else {
        const error = await errorOf(reader.readAll({ mode: 'strict' }));
        expect(TornTailError.is(error), `cut at ${cut}: ${String(error)}`).toBe(true);
        expect((error as TornTailError).offset).toBe(report.validBytes);
        expect((error as TornTailError).path).toBe(PATH);
      }
    }
  });

  it('zero-filled tails of any length are reported as such and dropped', async () => {
    const { bytes } = buildLog(RECORDS);
    for (const zeros of [1, 3, 7, 8, 9, 15, 16, 100, 4096 + 5]) {
      const dir = await logWith(concatBytes([bytes, new Uint8Array(zeros)]));
      const reader = new RecordLogReader(dir, PATH, { chunkBytes: 64 });
      const { records, report } = await reader.readAll({ mode: 'best-effort' });
      expect(report).toEqual({
        path: PATH,
        reason: 'zero-filled-tail',
        records: RECORDS.length,
        validBytes: bytes.length,
        droppedBytes: zeros,
      });
      expect(records).toEqual(RECORDS);
      const error = await errorOf(reader.readAll());
      expect(TornTailError.is(error) && (error as TornTailError).offset).toBe(bytes.length);
    }
  });

  it('a file of zeros, or VRLG followed by zeros, is a torn header (a crash during creation)', async () => {
    for (const bytes of [
      new Uint8Array(0),
      new Uint8Array(8),
      new Uint8Array(100),
      concatBytes([utf8('VRLG'), new Uint8Array(4)]),
      utf8('VRL'),
      Uint8Array.of(0x56, 0x52, 0x4c, 0x47, 1, 0, 0),
    ]) {
      const dir = await logWith(bytes);
      const { report } = await new RecordLogReader(dir, PATH).readAll({ mode: 'best-effort' });
      expect(report).toEqual({
        path: PATH,
        reason: 'torn-header',
        records: 0,
        validBytes: 0,
        droppedBytes: bytes.length,
      });
      const error = await errorOf(new RecordLogReader(dir, PATH).readAll());
      expect(TornTailError.is(error) && (error as TornTailError).offset).toBe(0);
    }
  });

  it('a flipped byte anywhere in a frame is corruption in both modes', async () => {
    const { bytes, frameEnds } = buildLog(RECORDS);
    for (let at = HEADER.length; at < bytes.length; at++) {
      const frameStart = frameStartOf(frameEnds, at);
      for (const mask of [0x01, 0x80, 0xff]) {
        const damaged = bytes.slice();
        damaged[at]! ^= mask;
        const dir = await logWith(damaged);
        for (const mode of ['strict', 'best-effort'] as const) {
          const error = await errorOf(new RecordLogReader(dir, PATH).readAll({ mode }));
          const where = `byte ${at} ^ ${mask} (${mode})`;
          expect(CorruptionError.is(error), `${where}: ${String(error)}`).toBe(true);
          expect((error as CorruptionError).offset, where).toBe(frameStart);
          expect((error as CorruptionError).path).toBe(PATH);
        }
      }
    }
  });

  it('a flipped bit in ANY len field of ANY frame, the last included, is corruption in both modes, and resume refuses without truncating', async () => {
    // Limitation L1 of the previous v1 draft: a len pointing past EOF read as a torn tail. The header
    // checksum now catches every single-bit flip of len, wherever it points (past EOF, above the caps,
    // shorter or longer than the real payload).
    const { bytes, frameEnds } = buildLog(RECORDS);
    const starts = frameEnds.slice(0, -1);
    let cases = 0;
    for (const [frame, frameStart] of starts.entries()) {
      for (let bit = 0; bit < 32; bit++) {
        const damaged = bytes.slice();
        damaged[frameStart + (bit >> 3)]! ^= 1 << (bit & 7);
        const where = `frame ${frame} len bit ${bit}`;
        const probe = instrument(await logWith(damaged));
        for (const mode of ['strict', 'best-effort'] as const) {
          const error = await errorOf(new RecordLogReader(probe.dir, PATH).readAll({ mode }));
          expect(CorruptionError.is(error), `${where} (${mode}): ${String(error)}`).toBe(true);
          const corruption = error as CorruptionError;
          expect(corruption.message, where).toContain('header checksum mismatch');
          expect(corruption.offset, where).toBe(frameStart);
          expect(corruption.path).toBe(PATH);
          expect(corruption.expected, where).toMatch(/^0x[0-9a-f]{8}$/);
          expect(corruption.actual, where).toMatch(/^0x[0-9a-f]{8}$/);
        }
        probe.log.length = 0;
        const refused = await errorOf(RecordLogWriter.resume(probe.dir, PATH));
        expect(CorruptionError.is(refused), `${where} (resume): ${String(refused)}`).toBe(true);
        expect(probe.log.filter((op) => /truncate|createFile|atomicWrite|delete|rename/.test(op))).toEqual(
          [],
        );
        expect(await probe.dir.readFile(PATH)).toEqual(damaged);
        cases++;
      }
    }
    expect(cases).toBe(RECORDS.length * 32);
  });

  it('every single-bit flip anywhere in a 3-record log is an error in both modes: never different data, never a silent drop', async () => {
    const records = [utf8('hello'), new Uint8Array(0), Uint8Array.of(0x00, 0xff, 0x7f, 0x80)];
    const { bytes, frameEnds } = buildLog(records);
    for (let at = 0; at < bytes.length; at++) {
      for (let bit = 0; bit < 8; bit++) {
        const damaged = bytes.slice();
        damaged[at]! ^= 1 << bit;
        const dir = await logWith(damaged);
        const where = `byte ${at} bit ${bit}`;
        for (const mode of ['strict', 'best-effort'] as const) {
          let error: unknown;
          try {
            const { records: read, report } = await new RecordLogReader(dir, PATH).readAll({ mode });
            // Reaching here at all is the failure; say how bad it is.
            expect(read, `${where} (${mode}): accepted different data`).toEqual(records);
            expect(report.records, `${where} (${mode}): dropped records without an error`).toBe(
              records.length,
            );
            error = new Error(`${where} (${mode}): a damaged log read as ${report.reason}`);
          } catch (thrown) {
            error = thrown;
          }
          if (at < HEADER.length) {
            // The file header: a flipped bit is never a torn header while records follow it.
            expect(FormatError.is(error), `${where} (${mode}): ${String(error)}`).toBe(true);
          } else {
            expect(CorruptionError.is(error), `${where} (${mode}): ${String(error)}`).toBe(true);
            expect((error as CorruptionError).offset, where).toBe(frameStartOf(frameEnds, at));
          }
        }
        const refused = await errorOf(RecordLogWriter.resume(dir, PATH));
        expect(FormatError.is(refused) || CorruptionError.is(refused), `${where} (resume)`).toBe(true);
        expect(await dir.readFile(PATH)).toEqual(damaged);
      }
    }
  });

  describe('zero sectors (the torn-write rule)', () => {
    // Frame 1 ("hello") is [8, 25); frame 2, 1200 bytes of 0x5a, is [25, 1237): it crosses the sector
    // boundaries at 512 and 1024, so its last sector-aligned part is [1024, 1237).
    const big = new Uint8Array(1200).fill(0x5a);
    const { bytes: log, frameEnds } = buildLog([utf8('hello'), big]);
    const lastStart = frameEnds[1]!;
    const zeroFrom = (bytes: Uint8Array, from: number, to = bytes.length) => {
      const copy = bytes.slice();
      copy.fill(0, from, to);
      return copy;
    };

    async function expectTorn(bytes: Uint8Array, validBytes: number, records: Uint8Array[]) {
      const dir = await logWith(bytes);
      const { records: read, report } = await new RecordLogReader(dir, PATH, { chunkBytes: 100 }).readAll({
        mode: 'best-effort',
      });
      expect(report).toEqual({
        path: PATH,
        reason: 'zero-filled-tail',
        records: records.length,
        validBytes,
        droppedBytes: bytes.length - validBytes,
      });
      expect(read).toEqual(records);
      const strict = await errorOf(new RecordLogReader(dir, PATH).readAll());
      expect(TornTailError.is(strict) && (strict as TornTailError).offset).toBe(validBytes);
      const writer = await RecordLogWriter.resume(dir, PATH);
      expect(writer.byteLength).toBe(validBytes);
      await writer.append(utf8('next'));
      await writer.close();
      expect((await new RecordLogReader(dir, PATH).readAll()).records).toEqual([...records, utf8('next')]);
    }

    async function expectCorrupt(bytes: Uint8Array, offset: number) {
      const dir = await logWith(bytes);
      for (const mode of ['strict', 'best-effort'] as const) {
        const error = await errorOf(new RecordLogReader(dir, PATH, { chunkBytes: 100 }).readAll({ mode }));
        expect(CorruptionError.is(error), `${mode}: ${String(error)}`).toBe(true);
        expect((error as CorruptionError).offset).toBe(offset);
      }
      expect(CorruptionError.is(await errorOf(RecordLogWriter.resume(dir, PATH)))).toBe(true);
      expect(await dir.readFile(PATH)).toEqual(bytes);
    }

    it('a final frame whose last sector-aligned part is zero, with zeros to EOF, is a zero-filled tail', async () => {
      expect(lastStart).toBe(25);
      await expectTorn(zeroFrom(log, 1024), lastStart, [utf8('hello')]);
      // The file grew further than the frame: zeros after it too.
      await expectTorn(concatBytes([zeroFrom(log, 1024), new Uint8Array(700)]), lastStart, [utf8('hello')]);
      // Every sector after the first lost, the frame header's sector intact.
      await expectTorn(zeroFrom(log, 512), lastStart, [utf8('hello')]);
      // A lost sector in the middle of the final frame (the disk wrote blocks out of order).
      await expectTorn(zeroFrom(log, 512, 1024), lastStart, [utf8('hello')]);
    });

    it('the same frame followed by a non-zero byte is corruption', async () => {
      await expectCorrupt(concatBytes([zeroFrom(log, 1024), Uint8Array.of(1)]), lastStart);
      await expectCorrupt(
        concatBytes([zeroFrom(log, 1024), new Uint8Array(600), Uint8Array.of(0x80)]),
        lastStart,
      );
      // ... or by a valid frame: a zero sector in a frame that is not the last one.
      await expectCorrupt(concatBytes([zeroFrom(log, 512, 1024), encodeFrame(utf8('later'))]), lastStart);
    });

    it('a frame with a flipped bit and no zero sector is corruption, even at the end of the file', async () => {
      for (const at of [lastStart + FRAME, 600, 1100, log.length - 1]) {
        const damaged = log.slice();
        damaged[at]! ^= 0x10;
        await expectCorrupt(damaged, lastStart);
        await expectCorrupt(concatBytes([damaged, new Uint8Array(100)]), lastStart);
      }
    });

    it('a frame header cut by a lost sector is a zero-filled tail; a non-zero byte after it is corruption', async () => {
      // Frame 2 starts at 506: its header is [506, 518), split by the sector boundary at 512.
      const first = new Uint8Array(506 - 8 - FRAME).fill(0x33);
      const { bytes, frameEnds: ends } = buildLog([first, big]);
      expect(ends[1]).toBe(506);
      await expectTorn(zeroFrom(bytes, 512), 506, [first]);
      // Header checksum mismatch, but the header has no zero chunk: corruption.
      const flipped = zeroFrom(bytes, 518);
      flipped[510]! ^= 1;
      await expectCorrupt(flipped, 506);
      // A zero chunk in the header, but a non-zero byte after the header.
      const later = zeroFrom(bytes, 512);
      later[900] = 7;
      await expectCorrupt(later, 506);
    });
  });

  it('a checksum mismatch reports the stored and the computed CRC', async () => {
    const { bytes } = buildLog([utf8('hello')]);
    bytes[bytes.length - 1]! ^= 1;
    const error = (await errorOf(
      new RecordLogReader(await logWith(bytes), PATH).readAll({ mode: 'best-effort' }),
    )) as CorruptionError;
    expect(error.message).toContain('payload checksum mismatch');
    expect(error.expected).toBe('0x5cac007a');
    expect(error.actual).toMatch(/^0x[0-9a-f]{8}$/);
    expect(error.message).toContain(`path ${PATH}, offset 8`);
    // A header checksum mismatch: len 5 → 4 under the stored crc32(05 00 00 00) = 0x169a2f2e.
    const { bytes: header } = buildLog([utf8('hello')]);
    header[8]! ^= 1;
    const headerError = (await errorOf(
      new RecordLogReader(await logWith(header), PATH).readAll({ mode: 'best-effort' }),
    )) as CorruptionError;
    expect(headerError.message).toContain('header checksum mismatch');
    expect(headerError.expected).toBe('0x169a2f2e');
    expect(headerError.actual).toBe(
      `0x${crc32(Uint8Array.of(4, 0, 0, 0))
        .toString(16)
        .padStart(8, '0')}`,
    );
    expect(headerError.offset).toBe(8);
  });

  it('wrong magic or an unknown version is a FormatError in both modes', async () => {
    const body = buildLog(RECORDS).bytes.subarray(8);
    const cases: [Uint8Array, number][] = [
      [concatBytes([utf8('VWAL'), Uint8Array.of(1, 0, 0, 0), body]), 0],
      [concatBytes([utf8('vrlg'), Uint8Array.of(1, 0, 0, 0)]), 0],
      [concatBytes([utf8('VRLG'), Uint8Array.of(2, 0, 0, 0), body]), 4],
      [concatBytes([utf8('VRLG'), Uint8Array.of(0, 1, 0, 0)]), 4],
      [concatBytes([utf8('VRLG'), Uint8Array.of(1, 0, 0, 1)]), 4],
      [utf8('hello'), 0], // shorter than a header but not a torn one: someone else's file
      [Uint8Array.of(0x56, 0x52, 0x4c, 0x47, 9), 4],
      // A prefix of the header then zeros is torn only when nothing but zeros follows it to EOF.
      [concatBytes([utf8('VRLG'), new Uint8Array(4), body]), 4],
      [concatBytes([new Uint8Array(8), body]), 0],
      [concatBytes([utf8('VR'), new Uint8Array(600), Uint8Array.of(1)]), 0],
    ];
    for (const [bytes, offset] of cases) {
      const dir = await logWith(bytes);
      for (const mode of ['strict', 'best-effort'] as const) {
        const error = await errorOf(new RecordLogReader(dir, PATH).readAll({ mode }));
        expect(FormatError.is(error), `${Buffer.from(bytes).toString('hex')}: ${String(error)}`).toBe(true);
        expect((error as FormatError).offset).toBe(offset);
      }
    }
  });

  it('an oversized length is CorruptionError (above 16 MiB) or LimitExceededError (above the option), with no read sized by it', async () => {
    // Each length carries a valid header_crc: only a bad writer could produce these.
    const lengthField = (len: number) =>
      concatBytes([HEADER, encodeFrame(utf8('ok')), checkedHeader(len), new Uint8Array(16).fill(0xaa)]);
    const cases = [
      { len: 0xffffffff, maxRecordBytes: undefined, error: CorruptionError },
      { len: RECORD_LOG_MAX_RECORD_BYTES + 1, maxRecordBytes: undefined, error: CorruptionError },
      { len: RECORD_LOG_MAX_RECORD_BYTES + 1, maxRecordBytes: 1024, error: CorruptionError },
      { len: 1025, maxRecordBytes: 1024, error: LimitExceededError },
    ];
    for (const { len, maxRecordBytes, error: expected } of cases) {
      const recording = recordingReads(await logWith(lengthField(len)));
      for (const mode of ['strict', 'best-effort'] as const) {
        const reader = new RecordLogReader(recording.dir, PATH, {
          chunkBytes: 16,
          ...(maxRecordBytes ? { maxRecordBytes } : {}),
        });
        const error = await errorOf(reader.readAll({ mode }));
        expect(expected.is(error), `len ${len}: ${String(error)}`).toBe(true);
        expect((error as CorruptionError).offset).toBe(8 + FRAME + 2);
        expect((error as CorruptionError).actual).toBe(len);
      }
      expect(Math.max(...recording.readLengths)).toBeLessThanOrEqual(16);
    }
    // A length within the caps that runs past EOF is a torn tail, found without reading or allocating it.
    const recording = recordingReads(await logWith(lengthField(RECORD_LOG_MAX_RECORD_BYTES)));
    const { report } = await new RecordLogReader(recording.dir, PATH, { chunkBytes: 16 }).readAll({
      mode: 'best-effort',
    });
    expect(report.reason).toBe('torn-tail');
    expect(Math.max(...recording.readLengths)).toBeLessThanOrEqual(16);
  });

  it('a checked header whose frame runs past EOF is a torn tail, even when the bytes present are zero', async () => {
    const ok = concatBytes([HEADER, encodeFrame(utf8('ok'))]);
    for (const present of [new Uint8Array(0), new Uint8Array(10), utf8('partial payload')]) {
      const bytes = concatBytes([ok, checkedHeader(100), present]);
      const dir = await logWith(bytes);
      const { records, report } = await new RecordLogReader(dir, PATH).readAll({ mode: 'best-effort' });
      expect(records).toEqual([utf8('ok')]);
      expect(report).toEqual({
        path: PATH,
        reason: 'torn-tail',
        records: 1,
        validBytes: ok.length,
        droppedBytes: FRAME + present.length,
      });
      const error = await errorOf(new RecordLogReader(dir, PATH).readAll());
      expect(TornTailError.is(error) && (error as TornTailError).offset).toBe(ok.length);
    }
  });

  it('a checksum-valid payload the codec cannot decode is a DecodeError in both modes', async () => {
    const garbage = Uint8Array.of(0xff);
    const dir = await logWith(
      concatBytes([HEADER, encodeFrame(cborCodec().encode({ ok: 1 })), encodeFrame(garbage)]),
    );
    for (const mode of ['strict', 'best-effort'] as const) {
      const error = await errorOf(new RecordLogReader(dir, PATH, { codec: cborCodec() }).readAll({ mode }));
      expect(DecodeError.is(error), String(error)).toBe(true);
      expect((error as DecodeError).offset).toBe(8 + FRAME + 5); // the frame of the bad payload
      expect((error as DecodeError).path).toBe(PATH);
    }
  });

  it('streams in bounded reads whatever the file size; readEach awaits the callback in order', async () => {
    const dir = await backend.create();
    const writer = await RecordLogWriter.create(dir, PATH, { bufferBytes: 4096 });
    const records = Array.from({ length: 2000 }, (_, i) => new Uint8Array(i % 97).fill(i & 0xff));
    for (const record of records) await writer.append(record);
    await writer.close();
    const recording = recordingReads(dir);
    let expected = 0;
    const report = await new RecordLogReader(recording.dir, PATH, { chunkBytes: 256 }).readEach(
      async (record, index) => {
        expect(index).toBe(expected);
        expect(record).toEqual(records[index]);
        await new Promise((resolve) => setImmediate(resolve));
        expected++;
      },
    );
    expect(report.records).toBe(2000);
    expect(Math.max(...recording.readLengths)).toBeLessThanOrEqual(256);
  });

  it('an error thrown by the readEach callback propagates unchanged and stops the read', async () => {
    const dir = await logWith(buildLog(RECORDS).bytes);
    const stop = new Error('stop');
    let calls = 0;
    await expect(
      new RecordLogReader(dir, PATH).readEach(() => {
        calls++;
        if (calls === 2) throw stop;
      }),
    ).rejects.toBe(stop);
    expect(calls).toBe(2);
  });

  it('a missing file is NotFoundError, not an empty log, in both modes', async () => {
    const dir = await backend.create();
    for (const mode of ['strict', 'best-effort'] as const) {
      const error = await errorOf(new RecordLogReader(dir, PATH).readAll({ mode }));
      expect(NotFoundError.is(error), String(error)).toBe(true);
    }
  });

  it('records returned with the default codec own their bytes', async () => {
    const dir = await logWith(buildLog(RECORDS).bytes);
    const { records } = await new RecordLogReader(dir, PATH).readAll();
    for (const [i, record] of records.entries()) expect(record.buffer.byteLength).toBe(RECORDS[i]!.length);
  });
});
