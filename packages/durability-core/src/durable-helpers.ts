import type { Directory } from './directory.js';
import { guardDirectory } from './guarded-directory.js';

/**
 * The seed's free functions: make a file's data durable, or a path's directory entry durable, on any
 * directory. They reject with `NotSupportedError` where the backend cannot promise stable storage.
 */
export function syncFile(dir: Directory, path: string): Promise<void> {
  return guardDirectory(dir).syncFile(path);
}

/** Makes the entry of `path` in its parent directory durable (needed after a create or rename). */
export function syncParentDir(dir: Directory, path: string): Promise<void> {
  return guardDirectory(dir).syncParentDir(path);
}
