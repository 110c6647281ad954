import { InvalidPathError } from './errors.js';

/**
 * Directory paths are relative and `/`-separated: `wal/wal_00000000000000000001.log`.
 *
 * Invariants a safe path satisfies (checked once here, before any backend touches storage):
 * - it is a non-empty string, not absolute (`/x`), and has no Windows drive (`C:`);
 * - no segment is empty (`a//b`, trailing `/`), `.` or `..`;
 * - it contains no NUL and no backslash (a backslash is a separator on Windows).
 *
 * `''` (the root itself) is accepted only where an operation takes a directory (`list`, `mkdirp`,
 * `exists`, `filePath`) and says so with `allowRoot`.
 */
export function assertSafePath(path: unknown, options: { allowRoot?: boolean } = {}): asserts path is string {
  if (typeof path !== 'string') {
    throw new InvalidPathError('path must be a string', { actual: typeof path });
  }
  if (path === '') {
    if (options.allowRoot) return;
    throw new InvalidPathError('path must not be empty');
  }
  if (path.includes('\0')) throw new InvalidPathError('path contains NUL', { path: printable(path) });
  if (path.includes('\\')) throw new InvalidPathError('path contains a backslash', { path });
  if (path.startsWith('/')) throw new InvalidPathError('path must be relative', { path });
  if (/^[A-Za-z]:/.test(path)) throw new InvalidPathError('path must not name a drive', { path });
  for (const segment of path.split('/')) {
    if (segment === '') throw new InvalidPathError('path has an empty segment', { path });
    if (segment === '.' || segment === '..') {
      throw new InvalidPathError(`path has a '${segment}' segment`, { path });
    }
  }
}

/** True when `assertSafePath` would accept `path`. */
export function isSafePath(path: unknown, options: { allowRoot?: boolean } = {}): path is string {
  try {
    assertSafePath(path, options);
    return true;
  } catch {
    return false;
  }
}

/** Joins safe segments with `/`, skipping empty ones (so `joinPath('', 'a')` is `a`). */
export function joinPath(...segments: string[]): string {
  return segments.filter((s) => s !== '').join('/');
}

/** The parent of a path, `''` for a top-level name. */
export function parentPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** The last segment of a path. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function printable(path: string): string {
  return path.replaceAll('\0', '\\0');
}
