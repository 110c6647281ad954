import {
  cborCodec,
  crc32,
  type Directory,
  type FileReader,
  FRAME_HEADER_BYTES,
  parseSegmentFileName,
  SEGMENT_HEADER_BYTES,
  WalReader,
} from '@durability/core';
// Test-only: broken backends are small edits of the memory backend, imported from source.
import { MemoryDirectory } from '../../../backend-memory/src/index.js';
import type { ReaderImplementation, ReplayedEntry } from '../../src/sweeps/index.js';
import { interceptDirectory } from '../../src/sweeps/intercept-directory.js';

/**
 * Deliberately broken pieces the sweeps must catch (the sweeps' part of the kill set). Each is a small,
 * realistic bug, not a caricature.
 */

/** Bit 3 of every byte at file offset 60 reads back flipped (bad RAM, a bad cable, silent bit rot). */
export class BitFlippingReads extends MemoryDirectory {
  static readonly OFFSET = 60;

  override async readFile(path: string): Promise<Uint8Array> {
    return flipped(await super.readFile(path), 0);
  }

  override async read(path: string, offset: number, length: number): Promise<Uint8Array> {
    return flipped(await super.read(path, offset, length), offset);
  }

  override async openReader(path: string): Promise<FileReader> {
    const reader = await super.openReader(path);
    return {
      path: reader.path,
      length: reader.length,
      read: async (offset, length) => flipped(await reader.read(offset, length), offset),
      close: () => reader.close(),
    };
  }
}

function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const i = BitFlippingReads.OFFSET - at;
  if (i >= 0 && i < bytes.length) bytes[i] = bytes[i]! ^ 0x08;
  return bytes;
}

/**
 * The seed's best-effort reader: a frame whose checksum fails is skipped and reading goes on after it
 * (a length that runs past the end stops the segment). Strict replay is core's.
 */
export const skipsCorruptRecords: Partial<ReaderImplementation> = {
  async replay(dir, mode) {
    if (mode === 'strict') return new WalReader(dir).replay({ mode });
    const codec = cborCodec();
    const entries: ReplayedEntry[] = [];
    const names = (await dir.list('wal')).filter((name) => parseSegmentFileName(name) !== undefined);
    for (const name of names) {
      const bytes = await dir.readFile(`wal/${name}`);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      let p = SEGMENT_HEADER_BYTES;
      while (p + FRAME_HEADER_BYTES <= bytes.length) {
        const length = view.getUint32(p, true);
        const end = p + FRAME_HEADER_BYTES + length;
        if (end > bytes.length) break;
        const headerCrc = crc32(bytes.subarray(p, p + 12));
        const payload = bytes.subarray(p + FRAME_HEADER_BYTES, end);
        if (crc32(payload, headerCrc) === view.getUint32(p + 16, true)) {
          entries.push({ entryId: Number(view.getBigUint64(p + 4, true)), payload: codec.decode(payload) });
        }
        p = end;
      }
    }
    return entries;
  },
};

/**
 * A retrying layer in front of the backend: when a sync fails it syncs again and reports that second
 * result (the "fsyncgate" mistake: after a failed fsync Linux may have dropped the dirty pages, so the
 * retry succeeds and data is lost without an error).
 */
export function retriesFailedSyncs(dir: Directory): Directory {
  return interceptDirectory(dir, async (call, proceed) => {
    if (call.op !== 'writer.sync' && call.op !== 'syncFile' && call.op !== 'syncParentDir') return proceed();
    try {
      return await proceed();
    } catch {
      return undefined;
    }
  });
}
