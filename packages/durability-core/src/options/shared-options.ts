import { z } from 'zod';
import type { Codec, EntrySchema } from '../codec/codec.js';
import { InvalidConfigError } from '../errors.js';

/**
 * Option pieces the log formats share, validated with zod; a bad value is an `InvalidConfigError` that
 * names the option and what was wrong with it.
 */

/** How a read treats a torn tail: `'strict'` rejects it with `TornTailError`; `'best-effort'` drops and reports it. */
export type ReadMode = 'strict' | 'best-effort';

/**
 * When appended entries are handed to the backend (`FileWriter.flush`: they survive a crash of this
 * process, not a power loss; only `flushAndSync` promises that):
 * - `'manual'` (default): on `flush()`, `flushAndSync()`, `close()`, or when the buffer fills;
 * - `'perAppend'`: after every append, whose promise resolves once flushed;
 * - `{ everyN: n }`: after every n entries; the append that completes a group resolves once flushed.
 */
export type FlushPolicy = 'perAppend' | 'manual' | { everyN: number };

export const readModeSchema = z.enum(['strict', 'best-effort']).default('strict');

export const flushPolicySchema = z
  .union([
    z.literal('perAppend'),
    z.literal('manual'),
    z.strictObject({ everyN: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER) }),
  ])
  .default('manual');

const isFunction = (value: unknown): boolean => typeof value === 'function';

export const codecOptionSchema = z.custom<Codec<unknown>>(
  (value) =>
    typeof value === 'object' &&
    value !== null &&
    isFunction((value as Codec<unknown>).encode) &&
    isFunction((value as Codec<unknown>).decode),
  { message: 'codec must have encode and decode functions' },
);

export const entrySchemaOptionSchema = z.custom<EntrySchema<unknown>>(
  (value) =>
    typeof value === 'object' && value !== null && isFunction((value as EntrySchema<unknown>).safeParse),
  { message: 'schema must have a safeParse function (a zod schema)' },
);

/** An integer byte count in `[min, max]`. */
export const byteCountSchema = (min: number, max: number) => z.number().int().min(min).max(max);

/** Entries between automatic flushes: 0 for `'manual'`, 1 for `'perAppend'`, n for `{ everyN: n }`. */
export function flushInterval(policy: FlushPolicy): number {
  return policy === 'manual' ? 0 : policy === 'perAppend' ? 1 : policy.everyN;
}

/** Parses `value` (undefined means `{}`) or throws an `InvalidConfigError` listing every issue. */
export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues
    .map((issue) => `${issue.path.length === 0 ? '(options)' : issue.path.join('.')}: ${issue.message}`)
    .join('; ');
  throw new InvalidConfigError(`invalid ${what}: ${issues}`, { cause: result.error });
}
