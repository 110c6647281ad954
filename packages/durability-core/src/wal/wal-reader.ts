import { decodeWith } from '../codec/codec.js';
import type { Directory, DurableDirectory } from '../directory.js';
import { guardDirectory } from '../guarded-directory.js';
import type { ReplayReport, WalRecord } from './replay-report.js';
import {
  type ReplayOptions,
  type ResolvedReaderOptions,
  resolveReaderOptions,
  resolveReplayMode,
  type WalReaderOptions,
} from './wal-options.js';
import { scanWal } from './wal-scan.js';

/**
 * Replays a WAL: every entry in id order, each validated (header and frame checksums, contiguous segment
 * and entry ids, caps before allocation) and decoded by the codec (`DecodeError` if it, or the schema,
 * rejects checksum-valid bytes).
 *
 * `strict` (default) rejects any damage; `best-effort` forgives only what a crash leaves at the end of
 * the final segment and reports it. Corruption anywhere else is an error in both modes (FORMAT.md,
 * recovery decision table).
 *
 * The WAL may start above entry 1 (a prefix truncated after a checkpoint): the report's `firstEntryId`
 * says where; whether a checkpoint covers the gap is the recovery code's decision.
 *
 * Reading a WAL while a writer appends to it sees a consistent prefix only at flush boundaries.
 */
export class WalReader<E = unknown> {
  private readonly dir: DurableDirectory;
  private readonly options: ResolvedReaderOptions<E>;

  constructor(dir: Directory, options?: WalReaderOptions<E>) {
    this.dir = guardDirectory(dir);
    this.options = resolveReaderOptions(options);
  }

  /** Every entry, in order. Memory grows with the WAL: use `replayEach` for large ones. */
  async replay(options?: ReplayOptions): Promise<WalRecord<E>[]> {
    const records: WalRecord<E>[] = [];
    await this.replayEach((record) => {
      records.push(record);
    }, options);
    return records;
  }

  /**
   * Streams every entry to `fn` in order (awaiting it when it returns a promise), reading in bounded
   * chunks: memory stays independent of the WAL's size. Resolves with where and why replay stopped.
   * An error thrown by `fn` stops the replay and rejects with it.
   */
  async replayEach(
    fn: (record: WalRecord<E>) => void | Promise<void>,
    options?: ReplayOptions,
  ): Promise<ReplayReport> {
    if (typeof fn !== 'function') throw new TypeError('replayEach expects a function');
    const mode = resolveReplayMode(options);
    const { codec, maxEntryBytes, chunkBytes } = this.options;
    const scan = await scanWal(this.dir, {
      mode,
      maxEntryBytes,
      readChunkBytes: chunkBytes,
      onFrame: (entryId, bytes, at) => {
        // Row W11: a checksum-valid payload the codec or schema rejects is a DecodeError.
        const payload = decodeWith(codec, bytes, at);
        return fn({ entryId, payload });
      },
    });
    return scan.report;
  }
}
