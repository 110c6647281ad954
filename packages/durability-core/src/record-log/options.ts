import { z } from 'zod';
import type { Codec } from '../codec/codec.js';
import { bytesCodec } from '../codec/codec.js';
import { DEFAULT_READ_CHUNK_BYTES } from '../encoding/sequential-reader.js';
import { InvalidConfigError } from '../errors.js';
import { RECORD_LOG_MAX_RECORD_BYTES } from './format.js';
import type { RecordLogReadMode } from './report.js';

/** When the writer hands buffered frames to the backend (`flush`) without being asked. */
export type RecordLogFlushPolicy = 'perAppend' | 'manual' | { everyN: number };

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
  /** Size of one ranged read. Default 1 MiB. Memory is about one chunk plus one frame. */
  chunkBytes?: number;
}

export interface RecordLogReadOptions {
  /** `'strict'` (default): a torn end is a `TornTailError`. `'best-effort'`: it is dropped and reported. */
  mode?: RecordLogReadMode;
}

export const DEFAULT_BUFFER_BYTES = 64 * 1024;
const MAX_BUFFER_BYTES = 64 * 1024 * 1024;
const MAX_CHUNK_BYTES = 64 * 1024 * 1024;

const codecSchema = z.custom<Codec<unknown>>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<Codec<unknown>>).encode === 'function' &&
    typeof (value as Partial<Codec<unknown>>).decode === 'function',
  { message: 'expected a codec: an object with encode and decode functions' },
);
const maxRecordBytesSchema = z.number().int().min(0).max(RECORD_LOG_MAX_RECORD_BYTES);

const writerSchema = z.strictObject({
  bufferBytes: z.number().int().min(0).max(MAX_BUFFER_BYTES).optional(),
  flushPolicy: z
    .union([
      z.literal('perAppend'),
      z.literal('manual'),
      z.strictObject({ everyN: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
    ])
    .optional(),
  maxRecordBytes: maxRecordBytesSchema.optional(),
  codec: codecSchema.optional(),
});

const readerSchema = z.strictObject({
  maxRecordBytes: maxRecordBytesSchema.optional(),
  codec: codecSchema.optional(),
  chunkBytes: z.number().int().min(1).max(MAX_CHUNK_BYTES).optional(),
});

const readSchema = z.strictObject({ mode: z.enum(['strict', 'best-effort']).optional() });

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
  const parsed = parse(writerSchema, options, 'record log writer options');
  const policy = parsed.flushPolicy ?? 'manual';
  return {
    bufferBytes: parsed.bufferBytes ?? DEFAULT_BUFFER_BYTES,
    flushEvery: policy === 'manual' ? 0 : policy === 'perAppend' ? 1 : policy.everyN,
    maxRecordBytes: parsed.maxRecordBytes ?? RECORD_LOG_MAX_RECORD_BYTES,
    codec: (options?.codec ?? bytesCodec) as Codec<T>,
  };
}

export function resolveReaderOptions<T>(
  options: RecordLogReaderOptions<T> | undefined,
): ResolvedReaderOptions<T> {
  const parsed = parse(readerSchema, options, 'record log reader options');
  return {
    maxRecordBytes: parsed.maxRecordBytes ?? RECORD_LOG_MAX_RECORD_BYTES,
    codec: (options?.codec ?? bytesCodec) as Codec<T>,
    chunkBytes: parsed.chunkBytes ?? DEFAULT_READ_CHUNK_BYTES,
  };
}

export function resolveReadMode(options: RecordLogReadOptions | undefined): RecordLogReadMode {
  return parse(readSchema, options, 'read options').mode ?? 'strict';
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues
    .map((issue) => `${issue.path.length === 0 ? '(options)' : issue.path.join('.')}: ${issue.message}`)
    .join('; ');
  throw new InvalidConfigError(`invalid ${what}: ${issues}`, { cause: result.error });
}
