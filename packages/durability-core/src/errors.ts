/**
 * Typed errors. Every failure the library reports on bad input, bad bytes or failed I/O is a
 * `DurabilityError` subclass with a stable `code` and the facts known at the point of failure (path,
 * segment id, byte offset, expected vs actual). Programmer errors (wrong argument types) stay
 * `TypeError` / `RangeError`.
 *
 * Errors are recognisable across duplicate installs of this package: each instance carries a
 * `Symbol.for` marker, and `SomeError.is(value)` checks the marker and the code instead of `instanceof`.
 */

const ERROR_MARKER: unique symbol = Symbol.for('@durability/core/DurabilityError') as never;

export type DurabilityErrorCode =
  | 'IO'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FORMAT'
  | 'CORRUPTION'
  | 'TORN_TAIL'
  | 'NOT_SUPPORTED'
  | 'INVALID_STATE'
  | 'INVALID_CONFIG'
  | 'INVALID_PATH'
  | 'LOCKED'
  | 'LIMIT_EXCEEDED'
  | 'ENCODE'
  | 'DECODE'
  | 'PRECONDITION_FAILED'
  | 'UNKNOWN_OUTCOME';

/** Facts attached to an error where they are known. */
export interface ErrorDetails {
  /** The directory-relative path of the file involved. */
  path?: string;
  /** The WAL segment id involved. */
  segmentId?: number;
  /** Byte offset within the file where the problem was found. */
  offset?: number;
  /** What the format required (a checksum, magic, version, id, limit...). */
  expected?: unknown;
  /** What was actually found. */
  actual?: unknown;
  /** The underlying error, if any. */
  cause?: unknown;
}

function describe(details: ErrorDetails): string {
  const parts: string[] = [];
  if (details.path !== undefined) parts.push(`path ${details.path}`);
  if (details.segmentId !== undefined) parts.push(`segment ${details.segmentId}`);
  if (details.offset !== undefined) parts.push(`offset ${details.offset}`);
  if (details.expected !== undefined) parts.push(`expected ${show(details.expected)}`);
  if (details.actual !== undefined) parts.push(`actual ${show(details.actual)}`);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}

export class DurabilityError extends Error {
  /** The code every instance of this class carries; `undefined` only on the base class. */
  static readonly code: DurabilityErrorCode | undefined = undefined;

  readonly [ERROR_MARKER] = true;
  readonly code: DurabilityErrorCode;
  readonly path: string | undefined;
  readonly segmentId: number | undefined;
  readonly offset: number | undefined;
  readonly expected: unknown;
  readonly actual: unknown;

  constructor(code: DurabilityErrorCode, message: string, details: ErrorDetails = {}) {
    super(
      `${message}${describe(details)}`,
      details.cause === undefined ? undefined : { cause: details.cause },
    );
    this.name = new.target.name;
    this.code = code;
    this.path = details.path;
    this.segmentId = details.segmentId;
    this.offset = details.offset;
    this.expected = details.expected;
    this.actual = details.actual;
  }

  /**
   * True when `value` is an error of this class (by marker and code), also when it was thrown by
   * another copy of this package. `DurabilityError.is(e)` matches every durability error.
   */
  static is<T extends abstract new (...args: never[]) => DurabilityError>(
    this: T & { readonly code: DurabilityErrorCode | undefined },
    value: unknown,
  ): value is InstanceType<T> {
    if (typeof value !== 'object' || value === null) return false;
    if ((value as Record<symbol, unknown>)[ERROR_MARKER] !== true) return false;
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass `is` was called on; that is the point.
    return this.code === undefined || (value as { code?: unknown }).code === this.code;
  }
}

/** An I/O operation failed. `errno` is the platform code (`EIO`, `ENOSPC`, ...) when there is one. */
export class IoError extends DurabilityError {
  static override readonly code = 'IO' as const;
  readonly errno: string | undefined;
  readonly syscall: string | undefined;
  constructor(message: string, details: ErrorDetails & { errno?: string; syscall?: string } = {}) {
    super('IO', message, details);
    this.errno = details.errno;
    this.syscall = details.syscall;
  }
}

/** The file or directory does not exist. */
export class NotFoundError extends DurabilityError {
  static override readonly code = 'NOT_FOUND' as const;
  constructor(message: string, details: ErrorDetails = {}) {
    super('NOT_FOUND', message, details);
  }
}

/** The file already exists where the operation requires that it does not. */
export class AlreadyExistsError extends DurabilityError {
  static override readonly code = 'ALREADY_EXISTS' as const;
  constructor(message: string, details: ErrorDetails = {}) {
    super('ALREADY_EXISTS', message, details);
  }
}

/** Bytes that are not in a format this version understands: bad magic, unknown version, wrong shape. */
export class FormatError extends DurabilityError {
  static override readonly code = 'FORMAT' as const;
  constructor(message: string, details: ErrorDetails = {}) {
    super('FORMAT', message, details);
  }
}

/** Bytes that fail their checksum or break an invariant of the format (an id gap, an impossible length). */
export class CorruptionError extends DurabilityError {
  static override readonly code = 'CORRUPTION' as const;
  constructor(message: string, details: ErrorDetails = {}) {
    super('CORRUPTION', message, details);
  }
}

/**
 * The log ends in an incomplete or zero-filled record: what a crash during an append leaves behind.
 * Strict reads report it with this error; best-effort reads drop the tail and say so in their report.
 */
export class TornTailError extends DurabilityError {
  static override readonly code = 'TORN_TAIL' as const;
  constructor(message: string, details: ErrorDetails = {}) {
    super('TORN_TAIL', message, details);
  }
}

/** The backend cannot do this honestly (e.g. a durable sync on a memory backend). */
export class NotSupportedError extends DurabilityError {
  static override readonly code = 'NOT_SUPPORTED' as const;
  constructor(message: string, details: ErrorDetails = {}) {
    super('NOT_SUPPORTED', message, details);
  }
}

/** The object is not in a state that allows the call (closed writer, overlapping calls, poisoned writer). */
export class InvalidStateError extends DurabilityError {
  static override readonly code = 'INVALID_STATE' as const;
  constructor(message: string, details: ErrorDetails = {}) {
    super('INVALID_STATE', message, details);
  }
}

/** Options that fail validation. */
export class InvalidConfigError extends DurabilityError {
  static override readonly code = 'INVALID_CONFIG' as const;
  constructor(message: string, details: ErrorDetails = {}) {
    super('INVALID_CONFIG', message, details);
  }
}

/** A path that is not a safe relative path, or that escapes the backend's root. */
export class InvalidPathError extends DurabilityError {
  static override readonly code = 'INVALID_PATH' as const;
  constructor(message: string, details: ErrorDetails = {}) {
    super('INVALID_PATH', message, details);
  }
}

/** Another writer holds the lock. `owner` describes it where known. */
export class LockedError extends DurabilityError {
  static override readonly code = 'LOCKED' as const;
  readonly owner: unknown;
  constructor(message: string, details: ErrorDetails & { owner?: unknown } = {}) {
    super('LOCKED', message, details);
    this.owner = details.owner;
  }
}

/** A size cap was exceeded: an entry too large to append, or a length read from disk above the cap. */
export class LimitExceededError extends DurabilityError {
  static override readonly code = 'LIMIT_EXCEEDED' as const;
  constructor(message: string, details: ErrorDetails = {}) {
    super('LIMIT_EXCEEDED', message, details);
  }
}

/** A value could not be encoded (the codec failed or the schema rejected it). */
export class EncodeError extends DurabilityError {
  static override readonly code = 'ENCODE' as const;
  constructor(message: string, details: ErrorDetails = {}) {
    super('ENCODE', message, details);
  }
}

/** Checksum-valid bytes could not be decoded, or the decoded value failed the schema. */
export class DecodeError extends DurabilityError {
  static override readonly code = 'DECODE' as const;
  constructor(message: string, details: ErrorDetails = {}) {
    super('DECODE', message, details);
  }
}

/**
 * An object-store request's condition did not hold (HTTP 412 for `If-None-Match` / `If-Match`, and 409 for
 * a conditional write that lost a race with another one). Nothing was written.
 */
export class PreconditionFailedError extends DurabilityError {
  static override readonly code = 'PRECONDITION_FAILED' as const;
  constructor(message: string, details: ErrorDetails = {}) {
    super('PRECONDITION_FAILED', message, details);
  }
}

/**
 * An object-store request may or may not have been applied (a timeout, a dropped connection or a 5xx
 * after the request was sent). The caller must read the object back to learn which.
 */
export class UnknownOutcomeError extends DurabilityError {
  static override readonly code = 'UNKNOWN_OUTCOME' as const;
  constructor(message: string, details: ErrorDetails = {}) {
    super('UNKNOWN_OUTCOME', message, details);
  }
}
