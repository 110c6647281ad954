import { z } from 'zod';
import { type Codec, cborCodec, type EntrySchema, withSchema } from '../codec/codec.js';
import { DEFAULT_READ_CHUNK_BYTES } from '../encoding/sequential-reader.js';
import {
  byteCountSchema as byteCount,
  codecOptionSchema as codecSchema,
  entrySchemaOptionSchema as entrySchemaSchema,
  type FlushPolicy,
  flushPolicySchema,
  parseOptions as parse,
  readModeSchema,
} from '../options/shared-options.js';
import type { ReplayMode } from './replay-report.js';
import { FRAME_HEADER_BYTES, MAX_WAL_ENTRY_BYTES, SEGMENT_HEADER_BYTES } from './wal-format.js';
import type { LockTakeover, LockTakeoverPolicy } from './wal-lock.js';

export type { FlushPolicy };

export interface WalWriterOptions<E = unknown> {
  /** Rotation threshold: a new segment starts when the next frame would pass it. Default 64 MiB. */
  segmentSizeBytes?: number;
  /** Encoded frames are buffered up to this many bytes, then written in one call. Default 64 KiB. */
  bufferBytes?: number;
  flushPolicy?: FlushPolicy;
  /** Largest encoded entry accepted; default and hard maximum 16 MiB. */
  maxEntryBytes?: number;
  /** Entry ⇄ payload bytes. Default `cborCodec({ schema })`. */
  codec?: Codec<E>;
  /** A zod schema every entry must pass before it is written (and after it is decoded). */
  schema?: EntrySchema<E>;
  /** Called when opening took over a stale lock; throwing from it aborts the open. */
  onLockTakeover?: (takeover: LockTakeover) => void;
  /**
   * When opening may take over a lock another owner holds. `'if-owner-gone'` (default): only when the
   * owner is provably gone — same host and a pid that no longer exists, or a writer of this process that
   * was abandoned. Across machines that cannot be known, so a lock left by a crashed machine stays held.
   * `'force'`: take it over whoever holds it, reported through `onLockTakeover` with reason `'forced'`.
   * Use it only when the owner is believed dead. If it is in fact alive, on an object store it is fenced
   * (its next flush, sync or close fails with `LockedError` and writes nothing); on a file system nothing
   * stops it and the two writers corrupt the WAL.
   */
  lockTakeover?: LockTakeoverPolicy;
}

export interface WalReaderOptions<E = unknown> {
  codec?: Codec<E>;
  /** A zod schema every decoded entry must pass (`DecodeError` otherwise). */
  schema?: EntrySchema<E>;
  /** Frames longer than this are a `LimitExceededError`, checked before allocating. Default 16 MiB. */
  maxEntryBytes?: number;
  /** Size of one ranged read while streaming. Default 256 KiB: memory is about one chunk plus one frame. */
  chunkBytes?: number;
}

export interface ReplayOptions {
  /** Default `'strict'`. */
  mode?: ReplayMode;
}

export const DEFAULT_SEGMENT_SIZE_BYTES = 64 * 1024 * 1024;
export const DEFAULT_BUFFER_BYTES = 64 * 1024;
/** The smallest segment that holds a header and one non-empty frame. */
export const MIN_SEGMENT_SIZE_BYTES = SEGMENT_HEADER_BYTES + FRAME_HEADER_BYTES + 1;

const writerSchema = z.strictObject({
  segmentSizeBytes: byteCount(MIN_SEGMENT_SIZE_BYTES, 2 ** 40).default(DEFAULT_SEGMENT_SIZE_BYTES),
  bufferBytes: byteCount(0, 64 * 1024 * 1024).default(DEFAULT_BUFFER_BYTES),
  flushPolicy: flushPolicySchema,
  maxEntryBytes: byteCount(1, MAX_WAL_ENTRY_BYTES).default(MAX_WAL_ENTRY_BYTES),
  codec: codecSchema.optional(),
  schema: entrySchemaSchema.optional(),
  onLockTakeover: z
    .custom<(t: LockTakeover) => void>((value) => typeof value === 'function', {
      message: 'must be a function',
    })
    .optional(),
  lockTakeover: z.enum(['if-owner-gone', 'force']).default('if-owner-gone'),
});

const readerSchema = z.strictObject({
  codec: codecSchema.optional(),
  schema: entrySchemaSchema.optional(),
  maxEntryBytes: byteCount(1, MAX_WAL_ENTRY_BYTES).default(MAX_WAL_ENTRY_BYTES),
  chunkBytes: byteCount(1, 64 * 1024 * 1024).default(DEFAULT_READ_CHUNK_BYTES),
});

const replaySchema = z.strictObject({ mode: readModeSchema });

export interface ResolvedWriterOptions<E> {
  segmentSizeBytes: number;
  bufferBytes: number;
  flushPolicy: FlushPolicy;
  maxEntryBytes: number;
  codec: Codec<E>;
  onLockTakeover: ((takeover: LockTakeover) => void) | undefined;
  lockTakeover: LockTakeoverPolicy;
}

export interface ResolvedReaderOptions<E> {
  codec: Codec<E>;
  maxEntryBytes: number;
  chunkBytes: number;
}

export function resolveWriterOptions<E>(options: WalWriterOptions<E> | undefined): ResolvedWriterOptions<E> {
  const parsed = parse(writerSchema, options, 'WalWriter options');
  return {
    segmentSizeBytes: parsed.segmentSizeBytes,
    bufferBytes: parsed.bufferBytes,
    flushPolicy: parsed.flushPolicy,
    maxEntryBytes: parsed.maxEntryBytes,
    codec: resolveCodec(parsed.codec as Codec<E> | undefined, parsed.schema as EntrySchema<E> | undefined),
    onLockTakeover: parsed.onLockTakeover,
    lockTakeover: parsed.lockTakeover,
  };
}

export function resolveReaderOptions<E>(options: WalReaderOptions<E> | undefined): ResolvedReaderOptions<E> {
  const parsed = parse(readerSchema, options, 'WalReader options');
  return {
    codec: resolveCodec(parsed.codec as Codec<E> | undefined, parsed.schema as EntrySchema<E> | undefined),
    maxEntryBytes: parsed.maxEntryBytes,
    chunkBytes: parsed.chunkBytes,
  };
}

export function resolveReplayMode(options: ReplayOptions | undefined): ReplayMode {
  return parse(replaySchema, options, 'replay options').mode;
}

/** The codec, with `schema` checked on both sides when both are given. */
function resolveCodec<E>(codec: Codec<E> | undefined, schema: EntrySchema<E> | undefined): Codec<E> {
  return codec ? withSchema(codec, schema) : cborCodec<E>({ schema });
}
