import { z } from 'zod';
import type { Codec } from '../codec/codec.js';
import { bytesCodec } from '../codec/codec.js';
import { DEFAULT_READ_CHUNK_BYTES } from '../encoding/sequential-reader.js';
import {
  byteCountSchema,
  codecOptionSchema,
  type FlushPolicy,
  flushInterval,
  flushPolicySchema,
  parseOptions,
  readModeSchema,
} from '../options/shared-options.js';
import { RECORD_LOG_MAX_RECORD_BYTES } from './format.js';
import type { RecordLogReadMode } from './report.js';

/** When the writer hands buffered frames to the backend (`flush`) without being asked. */
export type RecordLogFlushPolicy = FlushPolicy;

export interface RecordLogWriterOptions<T = Uint8Array> {
  /** Size of the append buffer; a frame larger than it is written directly. Default 64 KiB. */
  bufferBytes?: number;
  /** Default `'manual'`: only `flush`, `flushAndSync`, `close` and a full buffer write. */
  flushPolicy?: RecordLogFlushPolicy;
  /** Largest payload accepted, ≤ 16 MiB (the default). */
  maxRecordBytes?: number;
  /** Turns records into payload bytes. Default `bytesCodec` (records are `Uint8Array`s). */
  codec?: Codec<T>;
}

export interface RecordLogReaderOptions<T = Uint8Array> {
  /** Largest payload accepted; a larger (≤ 16 MiB) length field is a `LimitExceededError`. Default 16 MiB. */
  maxRecordBytes?: number;
  /** Turns payload bytes into records. Default `bytesCodec`. */
  codec?: Codec<T>;
  /** Size of one ranged read. Default 256 KiB. Memory is about one chunk plus one frame. */
  chunkBytes?: number;
}

export interface RecordLogReadOptions {
  /** `'strict'` (default): a torn end is a `TornTailError`. `'best-effort'`: it is dropped and reported. */
  mode?: RecordLogReadMode;
}

export const DEFAULT_BUFFER_BYTES = 64 * 1024;
const MAX_BUFFER_BYTES = 64 * 1024 * 1024;
const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

const maxRecordBytesSchema = byteCountSchema(0, RECORD_LOG_MAX_RECORD_BYTES);

const writerSchema = z.strictObject({
  bufferBytes: byteCountSchema(0, MAX_BUFFER_BYTES).optional(),
  flushPolicy: flushPolicySchema,
  maxRecordBytes: maxRecordBytesSchema.optional(),
  codec: codecOptionSchema.optional(),
});

const readerSchema = z.strictObject({
  maxRecordBytes: maxRecordBytesSchema.optional(),
  codec: codecOptionSchema.optional(),
  chunkBytes: byteCountSchema(1, MAX_CHUNK_BYTES).optional(),
});

const readSchema = z.strictObject({ mode: readModeSchema });

export interface ResolvedWriterOptions<T> {
  bufferBytes: number;
  /** 0 for `'manual'`, 1 for `'perAppend'`, N for `{ everyN: N }`. */
  flushEvery: number;
  maxRecordBytes: number;
  codec: Codec<T>;
}

export interface ResolvedReaderOptions<T> {
  maxRecordBytes: number;
  codec: Codec<T>;
  chunkBytes: number;
}

export function resolveWriterOptions<T>(
  options: RecordLogWriterOptions<T> | undefined,
): ResolvedWriterOptions<T> {
  const parsed = parseOptions(writerSchema, options, 'record log writer options');
  return {
    bufferBytes: parsed.bufferBytes ?? DEFAULT_BUFFER_BYTES,
    flushEvery: flushInterval(parsed.flushPolicy),
    maxRecordBytes: parsed.maxRecordBytes ?? RECORD_LOG_MAX_RECORD_BYTES,
    codec: (options?.codec ?? bytesCodec) as Codec<T>,
  };
}

export function resolveReaderOptions<T>(
  options: RecordLogReaderOptions<T> | undefined,
): ResolvedReaderOptions<T> {
  const parsed = parseOptions(readerSchema, options, 'record log reader options');
  return {
    maxRecordBytes: parsed.maxRecordBytes ?? RECORD_LOG_MAX_RECORD_BYTES,
    codec: (options?.codec ?? bytesCodec) as Codec<T>,
    chunkBytes: parsed.chunkBytes ?? DEFAULT_READ_CHUNK_BYTES,
  };
}

export function resolveReadMode(options: RecordLogReadOptions | undefined): RecordLogReadMode {
  return parseOptions(readSchema, options, 'read options').mode;
}
