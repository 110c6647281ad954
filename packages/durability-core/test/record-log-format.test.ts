import { readFileSync } from 'node:fs';
import { MemoryDirectory } from '@durability/backend-memory';
import { afterAll, describe, expect, it } from 'vitest';
import {
  crc32,
  InvalidConfigError,
  InvalidPathError,
  RECORD_LOG_MAX_RECORD_BYTES,
  RECORD_LOG_VERSION,
  RecordLogReader,
  RecordLogWriter,
} from '../src/index.js';
import {
  classifyHeader,
  encodeFrame,
  encodeRecordLogHeader,
  RECORD_FRAME_HEADER_BYTES,
} from '../src/record-log/format.js';
import { backends, removeTempRoots, utf8, writeRaw } from './support/backends.js';

afterAll(removeTempRoots);

const fixture = (name: string) =>
  new Uint8Array(readFileSync(new URL(`./fixtures/v1/${name}`, import.meta.url)));
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** The records in fixtures/v1/record-log-basic.vrlg (written by fixtures/v1/make-record-log-basic.mjs). */
const BASIC_RECORDS = [utf8('hello'), new Uint8Array(0), Uint8Array.of(0x00, 0xff, 0x7f, 0x80)];

describe('format v1 bytes', () => {
  it('header is VRLG + u32 version 1', () => {
    expect(RECORD_LOG_VERSION).toBe(1);
    expect(hex(encodeRecordLogHeader())).toBe('56524c4701000000');
  });

  it('frame is len u32 | header_crc u32 (over len) | payload_crc u32 (over len then payload) | payload: the worked example of FORMAT.md', () => {
    expect(RECORD_FRAME_HEADER_BYTES).toBe(12);
    // header_crc = crc32(05 00 00 00) = 0x169a2f2e; payload_crc = crc32(b"hello", header_crc) = 0x5cac007a
    // (= crc32(05 00 00 00 68 65 6c 6c 6f)); both stored little-endian.
    expect(hex(encodeFrame(utf8('hello')))).toBe('05000000' + '2e2f9a16' + '7a00ac5c' + '68656c6c6f');
    expect(crc32(utf8('\u0005\0\0\0hello'))).toBe(0x5cac007a);
    // An empty payload still has checksums: both are crc32 of its length field 00 00 00 00, never 0.
    expect(hex(encodeFrame(new Uint8Array(0)))).toBe('00000000' + '1cdf4421' + '1cdf4421');
    expect(RECORD_LOG_MAX_RECORD_BYTES).toBe(16 * 1024 * 1024);
  });

  it('classifies headers: valid, torn (prefix then zeros), bad magic, bad version', () => {
    const header = encodeRecordLogHeader();
    expect(classifyHeader(header).kind).toBe('valid');
    for (let n = 0; n < 8; n++) {
      expect(classifyHeader(header.slice(0, n)).kind).toBe('torn');
      const zeroFilled = header.slice();
      zeroFilled.fill(0, n);
      expect(classifyHeader(zeroFilled).kind).toBe(n >= 5 ? 'valid' : 'torn'); // bytes 5..7 are zero anyway
    }
    expect(classifyHeader(utf8('VWAL\u0001\0\0\0')).kind).toBe('bad-magic');
    expect(classifyHeader(utf8('xx')).kind).toBe('bad-magic');
    expect(classifyHeader(Uint8Array.of(0, 0, 1, 0, 0, 0, 0, 0)).kind).toBe('bad-magic');
    expect(classifyHeader(utf8('VRLG\u0002\0\0\0'))).toEqual({ kind: 'bad-version', version: 2 });
    expect(classifyHeader(utf8('VRLG\u0002'))).toEqual({ kind: 'bad-version', version: undefined });
    // A prefix then zeros is torn only when nothing but zeros follows the header to EOF.
    expect(classifyHeader(utf8('VRLG\0\0\0\0'), false)).toEqual({ kind: 'bad-version', version: 0 });
    expect(classifyHeader(new Uint8Array(8), false).kind).toBe('bad-magic');
    expect(classifyHeader(utf8('VR\0\0\0\0\0\0'), false).kind).toBe('bad-magic');
    expect(classifyHeader(header, false).kind).toBe('valid');
  });
});

describe.each(backends)('golden fixture v1/record-log-basic.vrlg on $name', (backend) => {
  const golden = fixture('record-log-basic.vrlg');

  it('has the documented bytes', () => {
    expect(hex(golden)).toBe(
      [
        '56524c47',
        '01000000', // header
        '05000000',
        '2e2f9a16',
        '7a00ac5c',
        '68656c6c6f', // "hello"
        '00000000',
        '1cdf4421',
        '1cdf4421', // empty record
        '04000000',
        '4b4826ae',
        '6703ef1a',
        '00ff7f80', // 00 ff 7f 80
      ].join(''),
    );
  });

  it('decodes byte for byte', async () => {
    const dir = await backend.create();
    await writeRaw(dir, 'basic.vrlg', golden);
    const { records, report } = await new RecordLogReader(dir, 'basic.vrlg').readAll();
    expect(records).toEqual(BASIC_RECORDS);
    expect(report).toEqual({
      path: 'basic.vrlg',
      reason: 'clean-end',
      records: 3,
      validBytes: golden.length,
      droppedBytes: 0,
    });
  });

  it('is reproduced exactly by the writer', async () => {
    const dir = await backend.create();
    const writer = await RecordLogWriter.create(dir, 'basic.vrlg');
    for (const record of BASIC_RECORDS) await writer.append(record);
    await writer.close();
    expect(await dir.readFile('basic.vrlg')).toEqual(golden);
  });
});

describe('options', () => {
  const dir = new MemoryDirectory();
  const badWriterOptions: unknown[] = [
    { bufferBytes: -1 },
    { bufferBytes: 1.5 },
    { bufferBytes: '64k' },
    { flushPolicy: 'always' },
    { flushPolicy: { everyN: 0 } },
    { flushPolicy: { everyN: 2, extra: 1 } },
    { maxRecordBytes: RECORD_LOG_MAX_RECORD_BYTES + 1 },
    { maxRecordBytes: -5 },
    { codec: {} },
    { codec: { encode: () => new Uint8Array(0) } },
    { flushpolicy: 'manual' }, // a typo is an error, not a silent default
    'manual',
  ];

  it.each(badWriterOptions)('writer rejects %o with InvalidConfigError before any I/O', async (options) => {
    await expect(RecordLogWriter.create(dir, 'x.vrlg', options as never)).rejects.toSatisfy((e: unknown) =>
      InvalidConfigError.is(e),
    );
    await expect(RecordLogWriter.resume(dir, 'x.vrlg', options as never)).rejects.toSatisfy((e: unknown) =>
      InvalidConfigError.is(e),
    );
    expect(await dir.exists('x.vrlg')).toBe(false);
  });

  it('the message names the bad option', async () => {
    const error = await RecordLogWriter.create(dir, 'x.vrlg', { flushPolicy: { everyN: 0 } }).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toMatch(/flushPolicy/);
  });

  it.each([{ chunkBytes: 0 }, { maxRecordBytes: 2 ** 30 }, { codec: null }, { mode: 'strict' }])(
    'reader rejects %o with InvalidConfigError',
    (options) => {
      expect(() => new RecordLogReader(dir, 'x.vrlg', options as never)).toThrow(InvalidConfigError);
    },
  );

  it('read mode must be strict or best-effort', async () => {
    const reader = new RecordLogReader(dir, 'x.vrlg');
    await expect(reader.readAll({ mode: 'lenient' as never })).rejects.toSatisfy((e: unknown) =>
      InvalidConfigError.is(e),
    );
  });

  it('an unsafe path is InvalidPathError', async () => {
    expect(() => new RecordLogReader(dir, '../x.vrlg')).toThrow(InvalidPathError);
    await expect(RecordLogWriter.create(dir, '/abs.vrlg')).rejects.toSatisfy((e: unknown) =>
      InvalidPathError.is(e),
    );
    // The error names the path as given, not the parent derived from it.
    for (const path of ['../x.vrlg', 'a/../b.vrlg', 'a//b.vrlg']) {
      for (const open of [RecordLogWriter.create, RecordLogWriter.resume]) {
        await expect(open(dir, path)).rejects.toSatisfy(
          (e: unknown) => InvalidPathError.is(e) && (e as InvalidPathError).path === path,
        );
      }
    }
  });

  it('accepts the documented defaults and limits', async () => {
    const writer = await RecordLogWriter.create(dir, 'ok.vrlg', {
      bufferBytes: 0,
      flushPolicy: { everyN: 10 },
      maxRecordBytes: RECORD_LOG_MAX_RECORD_BYTES,
    });
    await writer.close();
    new RecordLogReader(dir, 'ok.vrlg', { chunkBytes: 1, maxRecordBytes: 0 });
  });
});
