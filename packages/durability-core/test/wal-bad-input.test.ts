import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { crc32 } from '../src/checksum/crc32.js';
import { readU32, writeU32 } from '../src/encoding/little-endian.js';
import {
  type Codec,
  CorruptionError,
  DecodeError,
  EncodeError,
  FormatError,
  InvalidConfigError,
  LimitExceededError,
  type WalEntry,
  WalReader,
  WalWriter,
  walEntrySchema,
} from '../src/index.js';
import {
  readRaw,
  rejection,
  removeWalTempRoots,
  segmentPaths,
  walBackends,
  writeRaw,
} from './wal-harness.js';

afterAll(removeWalTempRoots);

describe.each(walBackends)('WAL bad input: typed errors, and the WAL stays readable ($name)', (backend) => {
  async function walWith(entries: string[]) {
    const dir = await backend.create();
    const w = await WalWriter.create<string>(dir);
    await w.appendBatch(entries);
    await w.close();
    return dir;
  }

  it('an entry larger than maxEntryBytes is a LimitExceededError; nothing is written, the writer goes on', async () => {
    const dir = await backend.create();
    const w = await WalWriter.create<string>(dir, { maxEntryBytes: 64 });
    await w.append('small');
    const error = await rejection(w.append('x'.repeat(100)));
    expect(LimitExceededError.is(error)).toBe(true);
    expect((error as LimitExceededError).actual).toBe(102);
    expect(LimitExceededError.is(await rejection(w.appendBatch(['ok', 'y'.repeat(100)])))).toBe(true);
    expect(await w.append('next')).toBe(2); // no id consumed, no partial batch
    await w.close();
    expect((await new WalReader<string>(dir).replay()).map((r) => r.payload)).toEqual(['small', 'next']);
  });

  it('an entry with an own __proto__ key is an EncodeError (it would replay renamed); the writer goes on', async () => {
    const dir = await backend.create();
    const w = await WalWriter.create<unknown>(dir);
    await w.append({ n: 1 });
    const error = await rejection(w.append(JSON.parse('{"n":2,"__proto__":{"admin":true}}')));
    expect(EncodeError.is(error)).toBe(true);
    expect(await w.append({ n: 3 })).toBe(2); // no id consumed
    await w.close();
    expect((await new WalReader(dir).replay()).map((r) => r.payload)).toEqual([{ n: 1 }, { n: 3 }]);
  });

  it('a frame whose header checksum fails is corruption, even with a frame checksum that matches', async () => {
    // frame_crc continues from the *stored* header_crc, so a damaged payload_len with an intact stored
    // header_crc can come with a consistent frame_crc: only the header check (row W3) catches it.
    const dir = await walWith(['first entry', 'second']);
    const [path] = await segmentPaths(dir);
    const bytes = await readRaw(dir, path!);
    const length = readU32(bytes, 28);
    writeU32(bytes, 28, length - 2);
    writeU32(bytes, 28 + 16, crc32(bytes.subarray(48, 48 + length - 2), readU32(bytes, 28 + 12)));
    await writeRaw(dir, path!, bytes);
    const seen: unknown[] = [];
    const error = await rejection(
      new WalReader<string>(dir).replayEach((record) => {
        seen.push(record.payload);
      }),
    );
    expect(CorruptionError.is(error)).toBe(true);
    expect((error as CorruptionError).offset).toBe(28);
    expect(seen).toEqual([]);
  });

  it('a frame above the reader cap is a LimitExceededError before any allocation', async () => {
    const dir = await walWith(['x'.repeat(1000)]);
    const error = await rejection(new WalReader(dir, { maxEntryBytes: 100 }).replay({ mode: 'best-effort' }));
    expect(LimitExceededError.is(error)).toBe(true);
    expect((error as LimitExceededError).offset).toBe(28);
    expect(await new WalReader(dir).replay()).toHaveLength(1);
  });

  it('entries the schema rejects (unsafe checkpoint paths too): EncodeError on append, DecodeError on replay', async () => {
    const dir = await backend.create();
    const w = await WalWriter.create<WalEntry>(dir, { schema: walEntrySchema });
    await w.append({ type: 'AddSegment', segmentId: 1, docCount: 1 });
    const bad = { type: 'AddSegment', segmentId: -1, docCount: 1 } as WalEntry;
    expect(EncodeError.is(await rejection(w.append(bad)))).toBe(true);
    expect(EncodeError.is(await rejection(w.append({ type: 'Nope' } as unknown as WalEntry)))).toBe(true);
    // An unsafe checkpoint path never reaches the log.
    const unsafeCheckpoint = {
      type: 'Checkpoint',
      checkpointPath: '../outside/c1.ckp',
      lastEntryId: 1,
    } as const;
    expect(EncodeError.is(await rejection(w.append(unsafeCheckpoint)))).toBe(true);
    expect(
      EncodeError.is(await rejection(w.append({ ...unsafeCheckpoint, checkpointPath: '/abs/c1.ckp' }))),
    ).toBe(true);
    await w.close();

    // Written without the schema, read with it: checksum-valid bytes that fail the schema.
    const loose = await WalWriter.resume<unknown>(dir);
    await loose.append(unsafeCheckpoint);
    await loose.close();
    const reader = new WalReader<WalEntry>(dir, { schema: walEntrySchema });
    const error = await rejection(reader.replay({ mode: 'best-effort' }));
    expect(DecodeError.is(error)).toBe(true);
    expect((error as DecodeError).path).toBe('wal/wal_00000000000000000001.log');
    expect((error as DecodeError).offset).toBeTypeOf('number');
    expect(await new WalReader(dir).replay()).toHaveLength(2);
  });

  it('a custom codec with a schema is checked on both sides', async () => {
    const jsonCodec = <T>(): Codec<T> => ({
      encode: (v) => new TextEncoder().encode(JSON.stringify(v)),
      decode: (b) => JSON.parse(new TextDecoder().decode(b)) as T,
    });
    const schema = z.object({ n: z.number() });
    const dir = await backend.create();
    const w = await WalWriter.create<{ n: number }>(dir, { codec: jsonCodec(), schema });
    await w.append({ n: 1 });
    expect(EncodeError.is(await rejection(w.append({ n: 'x' } as unknown as { n: number })))).toBe(true);
    await w.close();
    expect(await new WalReader(dir, { codec: jsonCodec<{ n: number }>(), schema }).replay()).toEqual([
      { entryId: 1, payload: { n: 1 } },
    ]);
    expect(
      DecodeError.is(
        await rejection(new WalReader(dir, { codec: jsonCodec<string>(), schema: z.string() }).replay()),
      ),
    ).toBe(true);
  });

  it('a foreign file named like a segment is a FormatError; unrelated files are ignored', async () => {
    const dir = await walWith(['a', 'b']);
    await writeRaw(dir, 'wal/README.txt', new TextEncoder().encode('notes'));
    await writeRaw(dir, 'wal/wal_00000000000000000001.log.bak', new Uint8Array(3));
    expect(await new WalReader(dir).replay()).toHaveLength(2);
    for (const name of ['wal_1.log', 'wal_000000000000000000002.log', 'wal_00000000000000000000.log']) {
      await writeRaw(dir, `wal/${name}`, new Uint8Array(40));
      const error = await rejection(new WalReader(dir).replay({ mode: 'best-effort' }));
      expect(FormatError.is(error), name).toBe(true);
      expect((error as FormatError).path).toBe(`wal/${name}`);
      expect(FormatError.is(await rejection(WalWriter.resume(dir)))).toBe(true);
      await dir.delete(`wal/${name}`);
    }
    expect(await new WalReader(dir).replay()).toHaveLength(2);
  });

  it('a canonical segment name with foreign content is corruption, not a torn tail', async () => {
    const dir = await walWith(['a']);
    await writeRaw(
      dir,
      'wal/wal_00000000000000000002.log',
      new TextEncoder().encode('hello, this is not a WAL segment'),
    );
    const error = await rejection(new WalReader(dir).replay({ mode: 'best-effort' }));
    expect(CorruptionError.is(error)).toBe(true);
    expect((error as CorruptionError).message).toContain("not 'VWAL'");
  });

  it('an unknown format version (with a valid header checksum) is a FormatError', async () => {
    const dir = await walWith(['a', 'b']);
    const [path] = await segmentPaths(dir);
    const bytes = await readRaw(dir, path!);
    writeU32(bytes, 4, 2);
    writeU32(bytes, 24, crc32(bytes.subarray(0, 24)));
    await writeRaw(dir, path!, bytes);
    for (const mode of ['strict', 'best-effort'] as const) {
      const error = await rejection(new WalReader(dir).replay({ mode }));
      expect(FormatError.is(error)).toBe(true);
      expect(error).toMatchObject({ expected: 1, actual: 2, offset: 4, segmentId: 1 });
    }
    expect(FormatError.is(await rejection(WalWriter.resume(dir)))).toBe(true);
  });

  it('invalid options are InvalidConfigError', async () => {
    const dir = await backend.create();
    const bad: unknown[] = [
      { segmentSizeBytes: 10 },
      { bufferBytes: -1 },
      { flushPolicy: 'always' },
      { flushPolicy: { everyN: 0 } },
      { maxEntryBytes: 16 * 1024 * 1024 + 1 },
      { codec: { encode: () => new Uint8Array() } },
      { schema: {} },
      { onLockTakeover: 'yes' },
      { unknownOption: true },
      'not an object',
    ];
    for (const options of bad) {
      const error = await rejection(WalWriter.create(dir, options as never));
      expect(InvalidConfigError.is(error), JSON.stringify(options)).toBe(true);
    }
    expect(() => new WalReader(dir, { chunkBytes: 0 })).toThrow(InvalidConfigError);
    await expect(new WalReader(dir).replay({ mode: 'lenient' as never })).rejects.toThrow(InvalidConfigError);
    expect(await dir.list('wal')).toEqual([]); // nothing was created, no lock left behind
  });
});
