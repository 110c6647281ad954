import { bytesCodec, decodeWith } from '../codec/codec.js';
import type { Directory, DurableDirectory } from '../directory.js';
import { guardDirectory } from '../guarded-directory.js';
import { assertSafePath } from '../paths.js';
import {
  type RecordLogReaderOptions,
  type RecordLogReadOptions,
  type ResolvedReaderOptions,
  resolveReaderOptions,
  resolveReadMode,
} from './options.js';
import type { RecordLogReport } from './report.js';
import { scanRecordLog } from './scan-record-log.js';

/**
 * Reads a record log written by `RecordLogWriter`, front to back, in bounded memory.
 *
 * `mode: 'strict'` (the default) reports a torn or zero-filled end, or a torn header, as a
 * `TornTailError`; `'best-effort'` returns the valid prefix and says in the report what it dropped.
 * Corruption (`CorruptionError`), a foreign or newer file (`FormatError`), a length above the caps
 * (`CorruptionError` / `LimitExceededError`) and an undecodable payload (`DecodeError`) are errors in
 * both modes. The decision table is in FORMAT.md § Record log.
 */
export class RecordLogReader<T = Uint8Array> {
  readonly path: string;
  private readonly dir: DurableDirectory;
  private readonly options: ResolvedReaderOptions<T>;

  constructor(dir: Directory, path: string, options?: RecordLogReaderOptions<T>) {
    assertSafePath(path);
    this.options = resolveReaderOptions(options);
    this.dir = guardDirectory(dir);
    this.path = path;
  }

  /**
   * Calls `fn` for every valid record, in order, awaiting it before reading on; returns the report.
   * Streams: records before a torn end have been delivered when strict mode throws `TornTailError`.
   * With the default codec each record is a fresh copy that owns its memory.
   */
  async readEach(
    fn: (record: T, index: number) => void | Promise<void>,
    options?: RecordLogReadOptions,
  ): Promise<RecordLogReport> {
    const mode = resolveReadMode(options);
    const { codec, maxRecordBytes, chunkBytes } = this.options;
    return scanRecordLog(
      this.dir,
      this.path,
      { mode, maxRecordBytes, chunkBytes },
      (payload, offset, index) => {
        const bytes = codec === (bytesCodec as unknown) ? payload.slice() : payload;
        return fn(decodeWith(codec, bytes, { path: this.path, offset }), index);
      },
    );
  }

  /** Every valid record and the report. In strict mode a torn end throws and returns nothing. */
  async readAll(options?: RecordLogReadOptions): Promise<{ records: T[]; report: RecordLogReport }> {
    const records: T[] = [];
    const report = await this.readEach((record) => {
      records.push(record);
    }, options);
    return { records, report };
  }
}
