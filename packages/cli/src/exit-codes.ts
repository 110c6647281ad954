import { DurabilityError } from '@durability/core';

/**
 * The process exit codes of the `durability` command. 0–2 are the verdict on the WAL; the rest follow
 * BSD `sysexits.h` so that shell scripts can tell a bad invocation from a bad disk.
 */
export const ExitCode = {
  /** Success; for `verify` and `dump`: the WAL is clean (or, in best-effort mode, recoverable). */
  OK: 0,
  /** The final segment ends in a torn tail and nothing else is wrong (strict mode); repair can fix it. */
  TORN_TAIL: 1,
  /** Corruption: a checksum mismatch, an id gap, a bad header, an undecodable payload, a bad checkpoint. */
  CORRUPTION: 2,
  /** A user mistake: unknown option, bad option value, missing directory, not a WAL directory. */
  USAGE: 64,
  /** The requested backend or feature is not available in this installation. */
  UNAVAILABLE: 69,
  /** An unexpected internal error (a bug): rerun with `--debug` for the stack. */
  INTERNAL: 70,
  /** An I/O error from the storage backend. */
  IO: 74,
  /** The WAL is locked by a live writer: `repair` refused; retry once it has stopped. */
  LOCKED: 75,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code a failure maps to. Anything that is not a `DurabilityError` is a bug (70). */
export function exitCodeForError(error: unknown): ExitCode {
  if (!DurabilityError.is(error)) return ExitCode.INTERNAL;
  switch (error.code) {
    case 'TORN_TAIL':
      return ExitCode.TORN_TAIL;
    case 'CORRUPTION':
    case 'FORMAT':
    case 'DECODE':
    case 'LIMIT_EXCEEDED':
      return ExitCode.CORRUPTION;
    case 'INVALID_CONFIG':
    case 'INVALID_PATH':
    case 'NOT_FOUND':
      return ExitCode.USAGE;
    case 'NOT_SUPPORTED':
      return ExitCode.UNAVAILABLE;
    case 'LOCKED':
      return ExitCode.LOCKED;
    case 'IO':
    case 'UNKNOWN_OUTCOME':
    case 'PRECONDITION_FAILED':
      return ExitCode.IO;
    default:
      return ExitCode.INTERNAL;
  }
}

/** True for the codes that describe damage on storage (as opposed to a failed invocation). */
export function isDamage(error: unknown): boolean {
  const code = exitCodeForError(error);
  return code === ExitCode.TORN_TAIL || code === ExitCode.CORRUPTION;
}
