import { AlreadyExistsError, DurabilityError, IoError, NotFoundError } from '@durability/core';

/**
 * The one place where a file-system failure becomes a typed error:
 *
 * | errno                       | error                |
 * | --------------------------- | -------------------- |
 * | `ENOENT`                    | `NotFoundError`      |
 * | `EEXIST`                    | `AlreadyExistsError` |
 * | anything else, or none      | `IoError`            |
 *
 * Every error keeps the directory-relative `path` and the original as `cause`; an `IoError` also carries
 * `errno` (`EIO`, `ENOSPC`, `EDQUOT`, `EROFS`, `EACCES`, `EISDIR`, ...) and `syscall` when known.
 * A `DurabilityError` (e.g. `InvalidPathError`), `TypeError` or `RangeError` passes unchanged: those are
 * already typed, or are programmer errors.
 */
export function mapFsError(error: unknown, operation: string, path: string): Error {
  if (DurabilityError.is(error) || error instanceof TypeError || error instanceof RangeError) return error;
  const errno = stringField(error, 'code');
  const syscall = stringField(error, 'syscall');
  const reason = error instanceof Error ? error.message : String(error);
  const message = `${operation} failed: ${reason}`;
  switch (errno) {
    case 'ENOENT':
      return new NotFoundError(message, { path, cause: error });
    case 'EEXIST':
      return new AlreadyExistsError(message, { path, cause: error });
    default:
      return new IoError(message, { path, errno, syscall, cause: error });
  }
}

/** An error shaped like Node's, for failures this package detects itself (e.g. a write making no progress). */
export function fsError(errno: string, syscall: string, message: string): Error {
  return Object.assign(new Error(`${errno}: ${message}, ${syscall}`), { code: errno, syscall });
}

/** The errno of a Node error, or `undefined`. */
export function errnoOf(error: unknown): string | undefined {
  return stringField(error, 'code');
}

function stringField(error: unknown, field: 'code' | 'syscall'): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = (error as Record<string, unknown>)[field];
  return typeof value === 'string' ? value : undefined;
}
