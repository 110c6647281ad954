import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  CorruptionError,
  EncodeError,
  FormatError,
  InvalidStateError,
  IoError,
  LimitExceededError,
  type RecordLogFlushPolicy,
  RecordLogReader,
  RecordLogWriter,
} from '../src/index.js';
import { encodeFrame, RECORD_FRAME_HEADER_BYTES } from '../src/record-log/format.js';
import { backends, concatBytes, removeTempRoots, utf8, writeRaw } from './support/backends.js';
import { instrument } from './support/instrument.js';

afterAll(removeTempRoots);

const PATH = 'logs/records.vrlg';
const HEADER = Uint8Array.of(0x56, 0x52, 0x4c, 0x47, 1, 0, 0, 0);
const RECORDS = [
  utf8('hello'),
  new Uint8Array(0),
  Uint8Array.of(0, 0, 1),
  utf8('a longer record, 30 bytes long'),
  Uint8Array.of(7, 0),
];
const logBytes = (records: Uint8Array[]) => concatBytes([HEADER, ...records.map(encodeFrame)]);
const eio = () => Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });

async function errorOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

const policies: RecordLogFlushPolicy[] = ['manual', 'perAppend', { everyN: 1 }, { everyN: 3 }];

describe.each(backends)('RecordLogWriter on $name', (backend) => {
  describe('create', () => {
    it('writes the header at once and creates missing parent directories', async () => {
      const dir = await backend.create();
      const writer = await RecordLogWriter.create(dir, 'a/b/c.vrlg');
      expect(await dir.readFile('a/b/c.vrlg')).toEqual(HEADER);
      expect(writer.recordCount).toBe(0);
      expect(writer.byteLength).toBe(8);
      expect((await new RecordLogReader(dir, 'a/b/c.vrlg').readAll()).report.reason).toBe('clean-end');
      await writer.close();
    });

    it('refuses an existing file with AlreadyExistsError and leaves it untouched', async () => {
      const dir = await backend.create();
      await writeRaw(dir, PATH, utf8('precious'));
      await expect(RecordLogWriter.create(dir, PATH)).rejects.toSatisfy((e: unknown) =>
        AlreadyExistsError.is(e),
      );
      expect(await dir.readFile(PATH)).toEqual(utf8('precious'));
    });
  });

  describe('append, flush, close', () => {
    it('buffers appends until flush (manual policy), then hands them over in one write', async () => {
      const { dir, log } = instrument(await backend.create());
      const writer = await RecordLogWriter.create(dir, PATH);
      for (const record of RECORDS) await writer.append(record);
      expect(await dir.readFile(PATH)).toEqual(HEADER); // still in the writer's buffer
      expect(writer.recordCount).toBe(RECORDS.length);
      expect(writer.byteLength).toBe(logBytes(RECORDS).length);
      await writer.flush();
      expect(log.filter((op) => op === 'writer.write').length).toBe(1);
      expect(await dir.readFile(PATH)).toEqual(logBytes(RECORDS));
      await writer.close();
    });

    it.each(policies)('flush policy %o makes records visible when it promises', async (flushPolicy) => {
      const dir = await backend.create();
      const writer = await RecordLogWriter.create(dir, PATH, { flushPolicy });
      const every = flushPolicy === 'manual' ? 0 : flushPolicy === 'perAppend' ? 1 : flushPolicy.everyN;
      for (let i = 0; i < RECORDS.length; i++) {
        await writer.append(RECORDS[i]!);
        const visible = every === 0 ? 0 : Math.floor((i + 1) / every) * every;
        expect((await new RecordLogReader(dir, PATH).readAll()).records).toEqual(RECORDS.slice(0, visible));
      }
      await writer.close();
      expect(await dir.readFile(PATH)).toEqual(logBytes(RECORDS));
    });

    it('drains when the buffer is full, and writes a record larger than the buffer directly', async () => {
      const { dir, log } = instrument(await backend.create());
      const writer = await RecordLogWriter.create(dir, PATH, { bufferBytes: 32 });
      const big = new Uint8Array(100).fill(5);
      await writer.append(utf8('0123456789')); // 22 bytes buffered
      await writer.append(utf8('0123456789')); // does not fit: the first drains
      expect(await dir.readFile(PATH)).toEqual(logBytes([utf8('0123456789')]));
      await writer.append(big); // drains the second, then header + payload directly
      expect(await dir.readFile(PATH)).toEqual(logBytes([utf8('0123456789'), utf8('0123456789'), big]));
      expect(log.filter((op) => op === 'writer.write').length).toBe(4);
      await writer.close();
    });

    it('rejects a record above maxRecordBytes with LimitExceededError before writing anything, and stays usable', async () => {
      const dir = await backend.create();
      const writer = await RecordLogWriter.create(dir, PATH, { maxRecordBytes: 4, bufferBytes: 0 });
      const error = await errorOf(writer.append(utf8('too long')));
      expect(LimitExceededError.is(error) && (error as LimitExceededError).actual).toBe(8);
      await expect(writer.append('nope' as never)).rejects.toSatisfy((e: unknown) => EncodeError.is(e));
      expect(await dir.readFile(PATH)).toEqual(HEADER);
      await writer.append(utf8('ok'));
      await writer.close();
      expect((await new RecordLogReader(dir, PATH).readAll()).records).toEqual([utf8('ok')]);
    });

    it('close drains, is idempotent, and later calls reject with InvalidStateError', async () => {
      const dir = await backend.create();
      const writer = await RecordLogWriter.create(dir, PATH);
      const appended = writer.append(utf8('x'));
      const closed = writer.close();
      expect(writer.close()).toBe(closed);
      await appended;
      await closed;
      expect(await dir.readFile(PATH)).toEqual(logBytes([utf8('x')]));
      for (const call of [
        () => writer.append(utf8('y')),
        () => writer.flush(),
        () => writer.flushAndSync(),
      ]) {
        await expect(call()).rejects.toSatisfy((e: unknown) => InvalidStateError.is(e));
      }
    });

    it('concurrent appends and flushes from async callers land in call order', async () => {
      const probe = instrument(await backend.create());
      probe.slowWrites(true);
      const writer = await RecordLogWriter.create(probe.dir, PATH, {
        bufferBytes: 40,
        flushPolicy: { everyN: 4 },
      });
      const records = Array.from({ length: 120 }, (_, i) => utf8(`record ${i} `.repeat(i % 7)));
      const calls: Promise<void>[] = [];
      for (const [i, record] of records.entries()) {
        calls.push(writer.append(record));
        if (i % 10 === 0) calls.push(writer.flush());
        if (i % 25 === 0) calls.push(writer.flushAndSync());
      }
      await Promise.all(calls);
      await writer.close();
      expect(await probe.dir.readFile(PATH)).toEqual(logBytes(records));
    });

    it('keeps the bytes a record had when append was called, even if the caller reuses its array', async () => {
      const dir = await backend.create();
      const writer = await RecordLogWriter.create(dir, PATH, { bufferBytes: 64 });
      const reused = utf8('first');
      const flushing = writer.flush(); // I/O in flight: the next append is queued
      const queued = writer.append(reused);
      reused.set(utf8('XXXXX'));
      await Promise.all([flushing, queued]);
      const direct = utf8('second');
      await writer.append(direct); // fast path: copied into the buffer during the call
      direct.fill(0);
      await writer.close();
      expect((await new RecordLogReader(dir, PATH).readAll()).records).toEqual([
        utf8('first'),
        utf8('second'),
      ]);
    });
  });

  describe('flushAndSync', () => {
    it(
      backend.durable
        ? 'syncs the file, then (first time only) its parent directory'
        : 'syncs the file and never asks for a parent-directory sync the backend cannot give',
      async () => {
        const { dir, log } = instrument(await backend.create());
        const writer = await RecordLogWriter.create(dir, PATH);
        await writer.append(utf8('a'));
        await writer.flushAndSync();
        await writer.append(utf8('b'));
        await writer.flushAndSync();
        await writer.close();
        const barriers = log.filter((op) =>
          ['writer.write', 'writer.sync', 'dir.syncParentDir'].includes(op),
        );
        expect(barriers).toEqual(
          backend.durable
            ? ['writer.write', 'writer.sync', 'dir.syncParentDir', 'writer.write', 'writer.sync']
            : ['writer.write', 'writer.sync', 'writer.write', 'writer.sync'],
        );
      },
    );
  });

  describe('poisoning', () => {
    it.each(['writer.write', 'writer.flush', 'writer.sync'])(
      'after %s fails, that call and every later one reject with the original error',
      async (op) => {
        const probe = instrument(await backend.create());
        const writer = await RecordLogWriter.create(probe.dir, PATH);
        await writer.append(utf8('kept'));
        await writer.flush();
        await writer.append(utf8('lost'));
        probe.failOn(op, eio());
        const first = await errorOf(op === 'writer.sync' ? writer.flushAndSync() : writer.flush());
        expect(IoError.is(first) && (first as IoError).errno).toBe('EIO');
        for (const call of [
          () => writer.append(utf8('more')),
          () => writer.flush(),
          () => writer.flushAndSync(),
          () => writer.close(),
          () => writer.close(),
        ]) {
          expect(await errorOf(call())).toBe(first);
        }
        // Recovery is a new writer from resume (which neither writes, flushes nor syncs here): what
        // reached the file before the failure is kept; a failed write left nothing of its frames.
        const resumed = await RecordLogWriter.resume(probe.dir, PATH);
        expect(resumed.recordCount).toBe(op === 'writer.write' ? 1 : 2);
        await resumed.close();
      },
    );

    it('appends queued behind a failing write reject with the same error', async () => {
      const probe = instrument(await backend.create());
      probe.slowWrites(true);
      const writer = await RecordLogWriter.create(probe.dir, PATH, { bufferBytes: 0 });
      probe.failOn('writer.write', eio(), 1); // the first record's 12-byte frame header is written, its payload fails
      const results = await Promise.allSettled([1, 2, 3, 4].map((n) => writer.append(utf8(`r${n}`))));
      const reasons = results.map((r) => (r.status === 'rejected' ? r.reason : undefined));
      expect(IoError.is(reasons[0])).toBe(true);
      expect(reasons.every((reason) => reason === reasons[0])).toBe(true);
      const { report } = await new RecordLogReader(probe.dir, PATH).readAll({ mode: 'best-effort' });
      expect(report).toMatchObject({
        reason: 'torn-tail',
        records: 0,
        validBytes: 8,
        droppedBytes: RECORD_FRAME_HEADER_BYTES,
      });
    });
  });

  describe('resume', () => {
    it('creates a missing log', async () => {
      const dir = await backend.create();
      const writer = await RecordLogWriter.resume(dir, PATH);
      await writer.append(utf8('a'));
      await writer.close();
      expect(await dir.readFile(PATH)).toEqual(logBytes([utf8('a')]));
    });

    it('after a torn write at EVERY offset: truncates back to the last valid frame (never rewrites) and continues', async () => {
      const full = logBytes(RECORDS);
      const frameEnds = [8];
      for (const record of RECORDS)
        frameEnds.push(frameEnds.at(-1)! + RECORD_FRAME_HEADER_BYTES + record.length);
      for (let cut = 0; cut <= full.length; cut++) {
        const probe = instrument(await backend.create());
        await writeRaw(probe.dir, PATH, full.slice(0, cut));
        probe.log.length = 0;
        const writer = await RecordLogWriter.resume(probe.dir, PATH);
        const kept = cut < 8 ? 0 : frameEnds.filter((end) => end <= cut).length - 1;
        const validBytes = cut < 8 ? 8 : frameEnds[kept]!;
        expect(writer.recordCount, `cut ${cut}`).toBe(kept);
        expect(writer.byteLength).toBe(validBytes);
        await writer.append(utf8('after'));
        await writer.close();
        expect(await probe.dir.readFile(PATH)).toEqual(logBytes([...RECORDS.slice(0, kept), utf8('after')]));
        const mutations = probe.log.filter((op) =>
          /createFile|atomicWrite|rename|delete|createExclusive/.test(op),
        );
        expect(mutations, `cut ${cut}`).toEqual([]);
        // Only a torn header (cut < 8, reset to length 0) or a torn tail needs a truncate.
        const torn = cut < 8 || cut !== validBytes;
        expect(probe.log.includes('dir.truncate'), `cut ${cut}`).toBe(torn);
      }
    });

    it('makes the truncation durable before continuing, where the backend can', async () => {
      const probe = instrument(await backend.create());
      await writeRaw(probe.dir, PATH, concatBytes([logBytes(RECORDS), utf8('torn')]));
      probe.log.length = 0;
      await (await RecordLogWriter.resume(probe.dir, PATH)).close();
      const steps = probe.log.filter((op) => op === 'dir.truncate' || op === 'dir.syncFile');
      expect(steps).toEqual(backend.durable ? ['dir.truncate', 'dir.syncFile'] : ['dir.truncate']);
    });

    it('refuses corruption, a foreign file and records above its maxRecordBytes, leaving the bytes as they were', async () => {
      const corrupt = logBytes(RECORDS);
      corrupt[12]! ^= 1;
      const cases: [Uint8Array, (e: unknown) => boolean, number?][] = [
        [corrupt, (e) => CorruptionError.is(e)],
        [
          concatBytes([logBytes(RECORDS), encodeFrame(utf8('x')).fill(0xee, 4, 8)]), // last header_crc
          (e) => CorruptionError.is(e),
        ],
        [
          concatBytes([logBytes(RECORDS), encodeFrame(utf8('x')).fill(0xee, 8, 12)]), // last payload_crc
          (e) => CorruptionError.is(e),
        ],
        [concatBytes([utf8('VRLG'), Uint8Array.of(2, 0, 0, 0)]), (e) => FormatError.is(e)],
        [utf8('not a log at all'), (e) => FormatError.is(e)],
        [logBytes(RECORDS), (e) => LimitExceededError.is(e), 10],
      ];
      for (const [bytes, isExpected, maxRecordBytes] of cases) {
        const dir = await backend.create();
        await writeRaw(dir, PATH, bytes);
        const error = await errorOf(
          RecordLogWriter.resume(dir, PATH, maxRecordBytes ? { maxRecordBytes } : {}),
        );
        expect(isExpected(error), String(error)).toBe(true);
        expect(await dir.readFile(PATH)).toEqual(bytes);
      }
    });
  });

  it('bytes on disk are identical whatever the flush policy, buffer size or flush calls', async () => {
    const runs = backend.name === 'memory' ? 150 : 15;
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 80 }), { maxLength: 25 }),
        fc.integer({ min: 0, max: 200 }),
        fc.constantFrom<RecordLogFlushPolicy>('manual', 'perAppend', { everyN: 2 }, { everyN: 5 }),
        fc.array(fc.boolean(), { minLength: 25, maxLength: 25 }),
        fc.boolean(),
        async (records, bufferBytes, flushPolicy, flushAfter, concurrent) => {
          const dir = await backend.create();
          const writer = await RecordLogWriter.create(dir, PATH, { bufferBytes, flushPolicy });
          if (concurrent) {
            await Promise.all(
              records.flatMap((r, i) => [writer.append(r), ...(flushAfter[i] ? [writer.flush()] : [])]),
            );
          } else {
            for (const [i, record] of records.entries()) {
              await writer.append(record);
              if (flushAfter[i]) await writer.flush();
            }
          }
          await writer.close();
          expect(await dir.readFile(PATH)).toEqual(logBytes(records));
        },
      ),
      { numRuns: runs },
    );
  });
});
