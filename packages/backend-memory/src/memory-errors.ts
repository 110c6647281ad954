import { AlreadyExistsError, IoError, NotFoundError } from '@durability/core';

/**
 * The errors a file system reports for the same mistakes, so code tested on memory fails on memory where
 * it would fail on disk. Conflicts between files and directories are `IoError`s carrying the POSIX errno.
 */

export function notFound(operation: string, path: string): NotFoundError {
  return new NotFoundError(`${operation}: no such file or directory`, { path });
}

export function alreadyExists(operation: string, path: string): AlreadyExistsError {
  return new AlreadyExistsError(`${operation}: file already exists`, { path });
}

/** `EISDIR`, `ENOTDIR`, `EEXIST`, `ENOTEMPTY` or `EINVAL`, as the equivalent system call would report. */
export function conflict(
  operation: string,
  path: string,
  errno: 'EISDIR' | 'ENOTDIR' | 'EEXIST' | 'ENOTEMPTY' | 'EINVAL',
): IoError {
  return new IoError(`${operation}: ${REASONS[errno]}`, { path, errno, syscall: operation });
}

const REASONS = {
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  EEXIST: 'a file is in the way',
  ENOTEMPTY: 'directory not empty',
  EINVAL: 'cannot move a directory into itself',
} as const;
