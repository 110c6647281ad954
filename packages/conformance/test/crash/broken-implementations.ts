import {
  CheckpointFile,
  type Directory,
  type FileWriter,
  FRAME_HEADER_BYTES,
  SEGMENT_HEADER_BYTES,
  segmentPath,
  type WalEntry,
  WalMaintenance,
  WalWriter,
  type WalWriterOptions,
} from '@durability/core';
import type { CrashImplementation, WalWriterLike } from '../../src/index.js';

/**
 * Deliberately broken replacements for parts of core, for the kill set: each must make the crash
 * explorer report violations.
 */

/** Wraps `dir` so that `sync()` on a segment writer is skipped when the segment is at its sealed length. */
function skippingSealSyncs(dir: Directory, sealLengths: Map<string, number>): Directory {
  const wrap = (writer: FileWriter): FileWriter => ({
    get path() {
      return writer.path;
    },
    get length() {
      return writer.length;
    },
    write: (bytes) => writer.write(bytes),
    flush: () => writer.flush(),
    sync: () => (sealLengths.get(writer.path) === writer.length ? writer.flush() : writer.sync()),
    close: () => writer.close(),
  });
  return new Proxy(dir, {
    get(target, property) {
      if (property === 'createFile' || property === 'appendFile') {
        return async (path: string) => wrap(await target[property](path));
      }
      const value = Reflect.get(target, property) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * A WAL writer that rotates without syncing the full segment first (core's invariant 1): the real
 * `WalWriter`, on a directory that drops the seal `sync`. It mirrors the writer's rotation rule to know
 * each sealed segment's final length (frames are `FRAME_HEADER_BYTES` + the payload; W1 uses bytesCodec).
 */
export const writerSkippingRotationSync: Partial<CrashImplementation> = {
  async createWriter<E>(dir: Directory, options: WalWriterOptions<E>): Promise<WalWriterLike<E>> {
    const limit = options.segmentSizeBytes!;
    const sealLengths = new Map<string, number>();
    const wal = await WalWriter.create<E>(skippingSealSyncs(dir, sealLengths), options);
    let segment = 1;
    let bytes = SEGMENT_HEADER_BYTES;
    let frames = 0;
    return {
      append(entry: E) {
        const size = FRAME_HEADER_BYTES + (entry as Uint8Array).length;
        if (frames > 0 && bytes + size > limit) {
          sealLengths.set(segmentPath(segment), bytes);
          segment++;
          bytes = SEGMENT_HEADER_BYTES;
          frames = 0;
        }
        bytes += size;
        frames++;
        return wal.append(entry);
      },
      flush: () => wal.flush(),
      flushAndSync: () => wal.flushAndSync(),
      close: () => wal.close(),
      get lastEntryId() {
        return wal.lastEntryId;
      },
    };
  },
};

/** A publisher that deletes covered segments while its marker is only flushed, not durable. */
export const publisherDeletingBeforeMarkerDurable: Partial<CrashImplementation> = {
  async publish(dir, wal, state, lastAppliedId, path, removeCheckpoints) {
    await wal.flushAndSync();
    await new CheckpointFile<unknown>(dir).writeDurable(path, state, lastAppliedId);
    const marker: WalEntry = { type: 'Checkpoint', checkpointPath: path, lastEntryId: lastAppliedId };
    await wal.append(marker);
    await wal.flush();
    await new WalMaintenance(dir).truncatePrefix(lastAppliedId);
    for (const old of removeCheckpoints) await dir.delete(old);
  },
};
