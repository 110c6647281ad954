import { MemoryDirectory } from '@durability/backend-memory';
import { describe, expect, it } from 'vitest';
import {
  bytesCodec,
  type Directory,
  type FileWriter,
  guardDirectory,
  InvalidStateError,
  IoError,
  RecordLogWriter,
  WalReader,
  WalWriter,
  writeAndSync,
} from '../src/index.js';

/**
 * `FileWriter.writeAndSync`: the optional one-step write + sync, how core calls it, and where core uses
 * it (the last chunk of a WAL sync round, a record log's `flushAndSync`).
 */

/** A writer whose calls are logged; with `combined`, it also offers `writeAndSync` (logged as one call). */
function loggedWriter(inner: FileWriter, log: string[], combined: boolean): FileWriter {
  const logged: FileWriter = {
    get path() {
      return inner.path;
    },
    get length() {
      return inner.length;
    },
    write: (bytes) => {
      log.push(`write ${inner.path} ${bytes.length}`);
      return inner.write(bytes);
    },
    flush: () => {
      log.push(`flush ${inner.path}`);
      return inner.flush();
    },
    sync: () => {
      log.push(`sync ${inner.path}`);
      return inner.sync();
    },
    close: () => inner.close(),
  };
  if (combined) {
    logged.writeAndSync = async (bytes) => {
      log.push(`writeAndSync ${inner.path} ${bytes.length}`);
      await inner.write(bytes);
      await inner.sync();
    };
  }
  return logged;
}

/** A memory directory whose writers are logged (and offer `writeAndSync` when `combined`). */
function loggedDirectory(combined = true): { dir: Directory; log: string[] } {
  const log: string[] = [];
  const inner = new MemoryDirectory();
  const dir = new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      if (key !== 'createFile' && key !== 'appendFile') return value.bind(target);
      return async (path: string) => loggedWriter(await value.call(target, path), log, combined);
    },
  });
  return { dir, log };
}

const segmentCalls = (log: string[]) => log.filter((line) => / wal\/wal_/.test(line));

describe('writeAndSync(writer, bytes)', () => {
  it("uses the writer's own writeAndSync when it has one", async () => {
    const { dir, log } = loggedDirectory(true);
    const writer = await dir.createFile('f');
    await writeAndSync(writer, Uint8Array.of(1, 2, 3));
    expect(log).toEqual(['writeAndSync f 3']);
  });

  it('otherwise writes, then syncs; a failed write is not followed by a sync', async () => {
    const { dir, log } = loggedDirectory(false);
    const writer = await dir.createFile('f');
    await writeAndSync(writer, Uint8Array.of(1, 2, 3));
    expect(log).toEqual(['write f 3', 'sync f']);
    log.length = 0;
    const failing: FileWriter = {
      ...writer,
      path: 'f',
      length: 0,
      write: async () => {
        log.push('write');
        throw new Error('EIO');
      },
      sync: async () => {
        log.push('sync');
      },
    };
    await expect(writeAndSync(failing, Uint8Array.of(1))).rejects.toThrow('EIO');
    expect(log).toEqual(['write']);
  });
});

describe('guardDirectory: writeAndSync', () => {
  it('is offered on every guarded writer, and reaches the backend as one call or as write + sync', async () => {
    for (const combined of [true, false]) {
      const { dir, log } = loggedDirectory(combined);
      const writer = await guardDirectory(dir).createFile('f');
      await writer.writeAndSync!(Uint8Array.of(7));
      expect(log).toEqual(combined ? ['writeAndSync f 1'] : ['write f 1', 'sync f']);
      expect(writer.length).toBe(1);
    }
  });

  it('checks its argument, refuses calls after close and overlaps, and maps backend errors', async () => {
    const { dir } = loggedDirectory(true);
    const writer = await guardDirectory(dir).createFile('f');
    await expect(writer.writeAndSync!('x' as unknown as Uint8Array)).rejects.toThrow(TypeError);
    const first = writer.writeAndSync!(Uint8Array.of(1));
    await expect(writer.writeAndSync!(Uint8Array.of(2))).rejects.toSatisfy((e: unknown) =>
      InvalidStateError.is(e),
    );
    await first;
    await writer.close();
    await expect(writer.writeAndSync!(Uint8Array.of(3))).rejects.toSatisfy((e: unknown) =>
      InvalidStateError.is(e),
    );

    const memory = new MemoryDirectory();
    const failingWriter = (path: string): FileWriter => ({
      path,
      length: 0,
      write: async () => undefined,
      flush: async () => undefined,
      sync: async () => undefined,
      close: async () => undefined,
      writeAndSync: async () => {
        throw Object.assign(new Error('disk on fire'), { code: 'EIO', syscall: 'write' });
      },
    });
    const backend = new Proxy(memory, {
      get(target, key, receiver) {
        if (key === 'createFile') return async (path: string) => failingWriter(path);
        const value = Reflect.get(target, key, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const failing = await guardDirectory(backend).createFile('g');
    await expect(failing.writeAndSync!(Uint8Array.of(1))).rejects.toSatisfy(
      (e: unknown) => IoError.is(e) && (e as IoError).errno === 'EIO' && (e as IoError).path === 'g',
    );
  });
});

describe('WalWriter: a sync round hands its last chunk over with writeAndSync', () => {
  it('one durable append is one writeAndSync of the segment, nothing else', async () => {
    const { dir, log } = loggedDirectory();
    const wal = await WalWriter.create<Uint8Array>(dir, { codec: bytesCodec });
    log.length = 0;
    await wal.append(Uint8Array.of(1));
    await wal.append(Uint8Array.of(2));
    await wal.flushAndSync();
    expect(segmentCalls(log)).toEqual([`writeAndSync wal/wal_00000000000000000001.log ${2 * 21}`]);
    await wal.close();
  });

  it('frames written behind earlier are covered: the round ends with writeAndSync, never a lone sync after it', async () => {
    const { dir, log } = loggedDirectory();
    const wal = await WalWriter.create<Uint8Array>(dir, { codec: bytesCodec, bufferBytes: 200 });
    log.length = 0;
    // 50-byte frames: full buffers (4 frames) are written behind; the last 2 frames wait for the round.
    for (let i = 0; i < 10; i++) await wal.append(new Uint8Array(30).fill(i));
    await wal.flushAndSync();
    const calls = segmentCalls(log);
    expect(calls.at(-1)).toMatch(/^writeAndSync /);
    expect(calls.filter((c) => c.startsWith('write ')).length).toBeGreaterThan(0);
    expect(calls.filter((c) => c.startsWith('sync '))).toEqual([]);
    await wal.close();
    const replayed = await new WalReader<Uint8Array>(dir, { codec: bytesCodec }).replay();
    expect(replayed.map((r) => r.payload[0])).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('with nothing buffered but something flushed, the round is a plain sync', async () => {
    const { dir, log } = loggedDirectory();
    const wal = await WalWriter.create<Uint8Array>(dir, { codec: bytesCodec });
    await wal.append(Uint8Array.of(1));
    await wal.flush();
    log.length = 0;
    await wal.flushAndSync();
    expect(segmentCalls(log)).toEqual(['sync wal/wal_00000000000000000001.log']);
    log.length = 0;
    await wal.flushAndSync(); // nothing new: no I/O at all
    expect(segmentCalls(log)).toEqual([]);
    await wal.close();
  });

  it('a round that rotates seals the full segment with sync and ends with writeAndSync on the new one', async () => {
    const { dir, log } = loggedDirectory();
    const wal = await WalWriter.create<Uint8Array>(dir, { codec: bytesCodec, segmentSizeBytes: 4096 });
    log.length = 0;
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await wal.append(new Uint8Array(1500).fill(i)));
    await wal.flushAndSync();
    const calls = segmentCalls(log).map((c) => c.replace(/ \d+$/, ''));
    expect(calls.at(-1)).toBe('writeAndSync wal/wal_00000000000000000003.log');
    expect(calls).toContain('sync wal/wal_00000000000000000001.log'); // sealed before segment 2 exists
    await wal.close();
    const replayed = await new WalReader<Uint8Array>(dir, { codec: bytesCodec }).replay();
    expect(replayed.map((r) => r.entryId)).toEqual(ids);
  });
});

describe('RecordLogWriter.flushAndSync', () => {
  it('hands the buffered frames over with writeAndSync; with nothing buffered it syncs', async () => {
    const { dir, log } = loggedDirectory();
    const writer = await RecordLogWriter.create(dir, 'log.rlg');
    await writer.flushAndSync();
    log.length = 0;
    await writer.append(Uint8Array.of(1, 2));
    await writer.flushAndSync();
    expect(log).toEqual(['writeAndSync log.rlg 14']); // a 12-byte frame header and the payload
    log.length = 0;
    await writer.flushAndSync();
    expect(log).toEqual(['sync log.rlg']);
    await writer.close();
  });
});
