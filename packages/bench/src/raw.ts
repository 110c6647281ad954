import {
  closeSync,
  constants,
  fdatasyncSync,
  fsyncSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { cbor, recordAt } from './records.js';
import { perSecond } from './stats.js';

/**
 * The raw limits: what the file system and cbor-x allow with no library in between. The "raw framed
 * log" is `len u32 | crc32 u32 | cbor payload` frames (little-endian, zlib.crc32 of the payload), encoded
 * with the same cbor-x options as the WAL, through synchronous `fs` calls. Each function returns
 * records per second.
 */

const BLOCK_BYTES = 64 * 1024;
export const RAW_LOG_FILE = 'raw.log';

/** Encodes record `i` as one raw frame into `target` at `offset`; returns the end offset. */
function frameInto(target: Buffer, offset: number, i: number): number {
  const payload = cbor.encode(recordAt(i));
  target.writeUInt32LE(payload.length, offset);
  target.writeUInt32LE(crc32(payload), offset + 4);
  target.set(payload, offset + 8);
  return offset + 8 + payload.length;
}

/** Ceiling: pre-framed 64 KiB blocks through `writeSync`, no encoding at all. */
export function rawWriteCeiling(dir: string, records: number): number {
  const block = Buffer.allocUnsafe(BLOCK_BYTES);
  let used = 0;
  let perBlock = 0;
  while (used + 200 < BLOCK_BYTES) {
    used = frameInto(block, used, perBlock);
    perBlock++;
  }
  const fd = openSync(join(dir, 'ceiling.log'), 'w');
  const start = performance.now();
  for (let done = 0; done < records; done += perBlock) writeSync(fd, block, 0, used);
  const ms = performance.now() - start;
  closeSync(fd);
  return perSecond(Math.ceil(records / perBlock) * perBlock, ms);
}

/** The raw framed log, buffered: encode + frame into a 64 KiB buffer, `writeSync` when full, no sync. */
export function rawFramedLog(dir: string, records: number): number {
  const buffer = Buffer.allocUnsafe(BLOCK_BYTES);
  const fd = openSync(join(dir, RAW_LOG_FILE), 'w');
  const start = performance.now();
  let used = 0;
  for (let i = 0; i < records; i++) {
    if (used > BLOCK_BYTES - 512) {
      writeSync(fd, buffer, 0, used);
      used = 0;
    }
    used = frameInto(buffer, used, i);
  }
  writeSync(fd, buffer, 0, used);
  const ms = performance.now() - start;
  closeSync(fd);
  return perSecond(records, ms);
}

/**
 * Durable raw loops: `batch` records encoded and framed, one `writeSync`, one `fdatasync`, repeated.
 * `batch` 1 is the write+fdatasync loop; 64 the 64-per-fdatasync loop. Latencies (ms per batch) go to
 * `latencies` when given.
 */
export function rawDurable(dir: string, records: number, batch: number, latencies?: number[]): number {
  const buffer = Buffer.allocUnsafe(batch * 512);
  const fd = openSync(join(dir, `durable-${batch}.log`), 'w');
  fsyncSync(fd);
  const start = performance.now();
  for (let done = 0; done < records; done += batch) {
    const t = performance.now();
    let used = 0;
    for (let k = 0; k < batch; k++) used = frameInto(buffer, used, done + k);
    writeSync(fd, buffer, 0, used);
    fdatasyncSync(fd);
    latencies?.push(performance.now() - t);
  }
  const ms = performance.now() - start;
  closeSync(fd);
  return perSecond(Math.ceil(records / batch) * batch, ms);
}

/** Writes the raw framed log of `records` records (setup for the replay row). */
export function writeRawLog(dir: string, records: number): void {
  rawFramedLog(dir, records);
}

/**
 * Raw replay: 1 MiB `readSync` chunks, each frame's length and zlib.crc32 checked, payload decoded by
 * cbor-x and handed to `onRecord`; without `onRecord`, frames are only validated (no decoding: the raw
 * shape of a repair scan). Returns the number of records; throws on a damaged frame.
 */
export function rawReplay(path: string, onRecord?: (value: unknown) => void): number {
  const fd = openSync(path, 'r');
  const chunk = Buffer.allocUnsafe(1024 * 1024 + 64 * 1024);
  let have = 0;
  let count = 0;
  try {
    for (;;) {
      const n = readSync(fd, chunk, have, 1024 * 1024, null);
      have += n;
      let pos = 0;
      while (have - pos >= 8) {
        const len = chunk.readUInt32LE(pos);
        if (len > 64 * 1024) throw new Error(`raw log: frame length ${len} at ${pos}`);
        if (have - pos < 8 + len) break;
        const payload = chunk.subarray(pos + 8, pos + 8 + len);
        if (crc32(payload) !== chunk.readUInt32LE(pos + 4)) throw new Error('raw log: checksum mismatch');
        if (onRecord) onRecord(cbor.decode(payload));
        count++;
        pos += 8 + len;
      }
      chunk.copy(chunk, 0, pos, have);
      have -= pos;
      if (n === 0) break;
    }
    if (have !== 0) throw new Error(`raw log: ${have} trailing bytes`);
  } finally {
    closeSync(fd);
  }
  return count;
}

/** Raw scan: every file under `dir` (sorted) read in 1 MiB chunks, each chunk through zlib.crc32. */
export function rawScan(dir: string): number {
  const chunk = Buffer.allocUnsafe(1024 * 1024);
  let bytes = 0;
  let crc = 0;
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith('.')) continue;
    const fd = openSync(join(dir, name), 'r');
    try {
      for (;;) {
        const n = readSync(fd, chunk, 0, chunk.length, null);
        if (n === 0) break;
        crc = crc32(chunk.subarray(0, n), crc);
        bytes += n;
      }
    } finally {
      closeSync(fd);
    }
  }
  if (crc === -1) throw new Error('unreachable');
  return bytes;
}

/**
 * The raw shape of a checkpoint publish, `publishes` times: `bytes` written to a temp file, fsync,
 * rename over the checkpoint, fsync of the directory, then a small marker appended to a log and
 * fdatasync'd. Returns milliseconds per publish.
 */
export function rawPublish(dir: string, bytes: number, publishes: number): number[] {
  const payload = Buffer.alloc(bytes, 0x5a);
  const marker = Buffer.alloc(64, 0x4d);
  const log = openSync(join(dir, 'markers.log'), 'w');
  const latencies: number[] = [];
  try {
    for (let p = 0; p < publishes; p++) {
      const start = performance.now();
      const temp = join(dir, `checkpoint.tmp`);
      const fd = openSync(temp, 'w');
      writeSync(fd, payload);
      fsyncSync(fd);
      closeSync(fd);
      renameSync(temp, join(dir, 'checkpoint'));
      const dirFd = openSync(dir, 'r');
      fsyncSync(dirFd);
      closeSync(dirFd);
      writeSync(log, marker);
      fdatasyncSync(log);
      latencies.push(performance.now() - start);
    }
  } finally {
    closeSync(log);
  }
  return latencies;
}

/**
 * The durable raw loops through `fs/promises` (what an asynchronous library can reach): `batch` records
 * framed, then either one `FileHandle.write` and one `FileHandle.datasync`, each a round trip to libuv's
 * thread pool (`'datasync'`), or one write on a descriptor opened `O_DSYNC`, one round trip (`'dsync'`).
 */
export async function rawDurableAsync(
  dir: string,
  records: number,
  batch: number,
  sync: 'datasync' | 'dsync' = 'datasync',
): Promise<number> {
  const buffer = Buffer.allocUnsafe(batch * 512);
  const flags =
    sync === 'dsync' ? constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_DSYNC : 'w';
  const handle = await open(join(dir, `durable-async-${batch}.log`), flags);
  try {
    await handle.sync();
    const start = performance.now();
    for (let done = 0; done < records; done += batch) {
      let used = 0;
      for (let k = 0; k < batch; k++) used = frameInto(buffer, used, done + k);
      await handle.write(buffer, 0, used, null);
      if (sync === 'datasync') await handle.datasync();
    }
    return perSecond(Math.ceil(records / batch) * batch, performance.now() - start);
  } finally {
    await handle.close();
  }
}

/**
 * The raw framed log with an `await` of an already-resolved promise per record: the floor for any
 * promise-returning `append` awaited one record at a time.
 */
export async function rawFramedLogAwaited(
  dir: string,
  records: number,
  blockBytes = BLOCK_BYTES,
): Promise<number> {
  const buffer = Buffer.allocUnsafe(blockBytes);
  const fd = openSync(join(dir, RAW_LOG_FILE), 'w');
  const start = performance.now();
  let used = 0;
  for (let i = 0; i < records; i++) {
    if (used > blockBytes - 512) {
      writeSync(fd, buffer, 0, used);
      used = 0;
    }
    used = await Promise.resolve(frameInto(buffer, used, i));
  }
  writeSync(fd, buffer, 0, used);
  const ms = performance.now() - start;
  closeSync(fd);
  return perSecond(records, ms);
}
