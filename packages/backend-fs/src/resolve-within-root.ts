import { dirname, join, resolve, sep } from 'node:path';
import { InvalidPathError } from '@durability/core';
import type { FsOps } from './fs-ops.js';
import { errnoOf } from './map-fs-error.js';

/**
 * Maps directory-relative paths (already checked by `assertSafePath`) to operating-system paths under one
 * root, and refuses a path that leaves the root through a symbolic link.
 *
 * Invariants:
 * - `osPath` is lexical and does no I/O: a safe path has no `..`, so it always names a place under `root`.
 * - `resolve` returns the OS path only when the realpath of the deepest ancestor of the target that
 *   exists (the target itself when it exists, following it when it is a link) lies inside the realpath
 *   of the root. Whatever an operation then creates below that ancestor is created inside the root.
 * - A dangling symbolic link anywhere on the way is refused: where it points cannot be checked until the
 *   operation would create it, possibly outside the root.
 * - A root that does not exist yet holds no links, so every path under it is accepted.
 *
 * This guards against links already in the tree, not against a concurrent process swapping a directory
 * for a link between the check and the operation: the root is trusted storage, not a sandbox.
 */
export class RootedPaths {
  /** The root as an absolute OS path. */
  readonly root: string;
  /** `realpath(root)`, resolved at first use once the root exists. */
  private realRoot: string | undefined;

  constructor(
    root: string,
    private readonly ops: FsOps,
  ) {
    this.root = resolve(root);
  }

  /** The OS path of a safe relative path (`''` is the root). No I/O. */
  osPath(path: string): string {
    return path === '' ? this.root : join(this.root, ...path.split('/'));
  }

  /** The OS path of `path`, after checking that it does not escape the root (see the class invariants). */
  async resolve(path: string): Promise<string> {
    const target = this.osPath(path);
    const realRoot = await this.resolveRoot();
    if (realRoot === undefined) return target;
    let current = target;
    for (;;) {
      const real = await this.realpathIfResolvable(current);
      if (real !== undefined) {
        if (!isWithin(real, realRoot)) {
          throw new InvalidPathError('path leaves the root through a symbolic link', { path, actual: real });
        }
        return target;
      }
      if (await this.isSymbolicLink(current)) {
        throw new InvalidPathError('path goes through a dangling symbolic link', { path });
      }
      // `current` is missing (or lies below a regular file); its parent decides. The root resolved a moment
      // ago, so the walk stops there at the latest; if the root has since vanished, nothing below it exists.
      if (current === this.root) return target;
      current = dirname(current);
    }
  }

  private async resolveRoot(): Promise<string | undefined> {
    if (this.realRoot === undefined) this.realRoot = await this.realpathIfResolvable(this.root);
    return this.realRoot;
  }

  private async realpathIfResolvable(osPath: string): Promise<string | undefined> {
    try {
      return await this.ops.realpath(osPath);
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  private async isSymbolicLink(osPath: string): Promise<boolean> {
    try {
      return (await this.ops.lstat(osPath)).isSymbolicLink;
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }
}

/** ENOENT, or ENOTDIR: a prefix of the path is a regular file, so the path itself cannot exist. */
export function isMissing(error: unknown): boolean {
  const errno = errnoOf(error);
  return errno === 'ENOENT' || errno === 'ENOTDIR';
}

function isWithin(real: string, realRoot: string): boolean {
  if (real === realRoot) return true;
  return real.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
}
