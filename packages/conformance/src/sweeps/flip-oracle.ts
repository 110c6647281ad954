import { CorruptionError, DurabilityError, FormatError, TornTailError } from '@durability/core';
import type { ReplayedEntry } from './implementation.js';
import { describeError, sameValue } from './values.js';
import type { FrameSpan } from './wal-image.js';

/** What a read returned: a value, or what it threw. */
export type Outcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: unknown };

export async function outcomeOf<T>(read: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (error) {
    return { ok: false, error };
  }
}

/** Kinds of verdict that are allowed. */
export type AcceptedKind =
  | 'same-data'
  | 'dropped-tail'
  | 'corruption-error'
  | 'format-error'
  | 'torn-tail-error';

/**
 * Kinds of violation:
 * - `silent-acceptance`: data other than the reference (different entries, or entries missing) without an error;
 * - `unreported-damage`: exactly the reference data although the flipped bit lies in bytes the reader must check;
 * - `wrong-error`: a typed error the format does not prescribe for this damage;
 * - `untyped-error`: something that is not a `DurabilityError`.
 */
export type ViolationKind = 'silent-acceptance' | 'unreported-damage' | 'wrong-error' | 'untyped-error';

export type Verdict =
  | { readonly accepted: true; readonly kind: AcceptedKind }
  | { readonly accepted: false; readonly kind: ViolationKind; readonly message: string };

/** Where a bit was flipped in a WAL image. */
export interface WalFlipSite {
  /** Offset of the flipped byte in its segment file. */
  readonly offset: number;
  /** True when the flipped segment is the last one. */
  readonly inFinalSegment: boolean;
  /** The frames of the flipped segment (before the flip). */
  readonly frames: readonly FrameSpan[];
  /** Where the torn write at the end of the final segment begins, when the image has one. */
  readonly tornTailStart: number | undefined;
}

/** Magic and version: the only header bytes FORMAT.md maps to `FormatError` (rows S4, C4, C5). */
const MAGIC_AND_VERSION_BYTES = 8;

const accept = (kind: AcceptedKind): Verdict => ({ accepted: true, kind });
const violation = (kind: ViolationKind, message: string): Verdict => ({ accepted: false, kind, message });

/**
 * Best-effort replay of a WAL with one flipped bit (FORMAT.md, "Recovery decision table"). Allowed:
 * - exactly the reference, only when the flip lies in the torn write at the end of the final segment
 *   (rows W1/W7 forgive whatever bytes a torn frame holds);
 * - the reference up to the frame holding the flip, only when that frame is in the final segment (a
 *   damaged final frame that rule T classes as a torn write; FORMAT.md L-W5);
 * - `CorruptionError`; `FormatError` only for a flip in a header's magic or version.
 */
export function judgeBestEffort(
  site: WalFlipSite,
  outcome: Outcome<readonly ReplayedEntry[]>,
  reference: readonly unknown[],
): Verdict {
  if (!outcome.ok) return judgeError(outcome.error, site.offset, false);
  const entries = outcome.value;
  const mismatch = firstMismatch(entries, reference);
  if (mismatch !== undefined) return violation('silent-acceptance', mismatch);
  const inTornTail =
    site.inFinalSegment && site.tornTailStart !== undefined && site.offset >= site.tornTailStart;
  if (entries.length === reference.length) {
    return inTornTail
      ? accept('same-data')
      : violation(
          'unreported-damage',
          'returned every entry although the flipped bit is outside any torn tail',
        );
  }
  const holder = site.frames.find((frame) => site.offset >= frame.offset && site.offset < frame.end);
  if (site.inFinalSegment && holder !== undefined && holder.entryId === entries.length + 1)
    return accept('dropped-tail');
  return violation(
    'silent-acceptance',
    `returned entries 1..${entries.length} of ${reference.length} without an error; the flip is ${
      holder ? `in entry ${holder.entryId}` : 'outside every frame'
    }${site.inFinalSegment ? '' : ' of a non-final segment'}`,
  );
}

/**
 * Strict replay of the same image: never data (every flip is damage), only the errors best-effort's
 * verdict allows: `TornTailError` exactly when best-effort legitimately stopped at a torn tail.
 */
export function judgeStrict(
  site: WalFlipSite,
  outcome: Outcome<readonly ReplayedEntry[]>,
  reference: readonly unknown[],
  bestEffort: Verdict,
): Verdict {
  if (outcome.ok) {
    const mismatch = firstMismatch(outcome.value, reference);
    if (mismatch === undefined && outcome.value.length === reference.length) {
      return violation('unreported-damage', 'strict replay returned every entry of a damaged WAL');
    }
    return violation(
      'silent-acceptance',
      `strict replay returned data without an error: ${mismatch ?? 'a prefix'}`,
    );
  }
  const tornAllowed =
    bestEffort.accepted && (bestEffort.kind === 'same-data' || bestEffort.kind === 'dropped-tail');
  return judgeError(outcome.error, site.offset, tornAllowed);
}

/**
 * A checkpoint with one flipped bit (FORMAT.md § Checkpoint, rows C3–C10): it is written atomically and
 * never torn, so every flip must be an error: `CorruptionError`, or `FormatError` for a flip in the
 * magic, version or `last_applied_id` field (rows C4–C6).
 */
export function judgeCheckpoint(
  offset: number,
  outcome: Outcome<{ state: unknown; lastAppliedId: number }>,
  reference: { state: unknown; lastAppliedId: number },
): Verdict {
  if (!outcome.ok) return judgeError(outcome.error, offset, false, 16);
  const same =
    outcome.value.lastAppliedId === reference.lastAppliedId &&
    sameValue(outcome.value.state, reference.state);
  return same
    ? violation('unreported-damage', 'returned the reference state from a damaged checkpoint')
    : violation(
        'silent-acceptance',
        `returned a different state (lastAppliedId ${outcome.value.lastAppliedId})`,
      );
}

function judgeError(
  error: unknown,
  offset: number,
  tornAllowed: boolean,
  formatBytes = MAGIC_AND_VERSION_BYTES,
): Verdict {
  if (CorruptionError.is(error)) return accept('corruption-error');
  if (FormatError.is(error)) {
    return offset < formatBytes
      ? accept('format-error')
      : violation(
          'wrong-error',
          `FormatError for a flip outside the header's format fields: ${describeError(error)}`,
        );
  }
  if (TornTailError.is(error)) {
    return tornAllowed
      ? accept('torn-tail-error')
      : violation('wrong-error', `TornTailError for damage that is not a torn tail: ${describeError(error)}`);
  }
  if (DurabilityError.is(error)) return violation('wrong-error', describeError(error));
  return violation('untyped-error', describeError(error));
}

/** Why `entries` is not a prefix of `reference` (ids 1, 2, … and equal payloads), or undefined when it is. */
export function firstMismatch(
  entries: readonly ReplayedEntry[],
  reference: readonly unknown[],
): string | undefined {
  if (entries.length > reference.length)
    return `returned ${entries.length} entries, the reference has ${reference.length}`;
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i]!;
    if (entry.entryId !== i + 1) return `entry ${i + 1} came back with id ${entry.entryId}`;
    if (!sameValue(entry.payload, reference[i])) return `entry ${i + 1} came back with a different payload`;
  }
  return undefined;
}
