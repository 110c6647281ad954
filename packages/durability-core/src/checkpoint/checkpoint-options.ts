import { z } from 'zod';
import { type Codec, type EntrySchema, withSchema } from '../codec/codec.js';
import {
  byteCountSchema,
  codecOptionSchema,
  entrySchemaOptionSchema,
  parseOptions,
} from '../options/shared-options.js';
import { canonicalCborCodec } from './canonical-codec.js';
import { MAX_CHECKPOINT_PAYLOAD_BYTES } from './checkpoint-format.js';

export interface CheckpointFileOptions<S = unknown> {
  /**
   * State ⇄ payload bytes. Default `canonicalCborCodec({ schema })`: deterministic. A custom codec must
   * be deterministic itself if byte-identical checkpoints matter to you.
   */
  codec?: Codec<S>;
  /** A zod schema the state must pass before it is written and after it is read. */
  schema?: EntrySchema<S>;
  /**
   * Largest payload written or read; default and hard maximum 256 MiB. Checked before any allocation
   * sized by a length read from disk (`LimitExceededError`).
   */
  maxPayloadBytes?: number;
}

export interface ResolvedCheckpointOptions<S> {
  codec: Codec<S>;
  maxPayloadBytes: number;
}

const optionsSchema = z.strictObject({
  codec: codecOptionSchema.optional(),
  schema: entrySchemaOptionSchema.optional(),
  maxPayloadBytes: byteCountSchema(1, MAX_CHECKPOINT_PAYLOAD_BYTES).default(MAX_CHECKPOINT_PAYLOAD_BYTES),
});

/** Validates checkpoint options (`InvalidConfigError`) and builds the codec. */
export function resolveCheckpointOptions<S>(
  options: CheckpointFileOptions<S> | undefined,
): ResolvedCheckpointOptions<S> {
  const parsed = parseOptions(optionsSchema, options, 'checkpoint options');
  const { maxPayloadBytes } = parsed;
  const codec = parsed.codec as Codec<S> | undefined;
  const schema = parsed.schema as EntrySchema<S> | undefined;
  return {
    maxPayloadBytes,
    codec: codec
      ? withSchema(codec, schema, { what: 'state' })
      : canonicalCborCodec<S>({ schema, maxBytes: maxPayloadBytes }),
  };
}
