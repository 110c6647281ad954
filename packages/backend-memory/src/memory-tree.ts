import { GrowableBuffer } from './growable-buffer.js';
import { conflict, notFound } from './memory-errors.js';

/**
 * The namespace of a `MemoryDirectory`: a tree of directories whose leaves are files, like an inode
 * tree. A file node is an identity, as an inode is: writers and readers hold the node, so a file renamed
 * or deleted under an open writer keeps receiving its writes, and `atomicWrite` installs a new node
 * rather than rewriting the old one (a reader opened before keeps the old content).
 *
 * Invariants:
 * - every path resolves by walking names from the root; the root is a directory and always exists;
 * - a directory exists exactly when it was created by `mkdirp` or as the missing parent of a created file
 *   or directory, and until it (or an ancestor) is deleted or renamed away; deleting a file leaves its
 *   parent in place, as on a file system;
 * - `ensureDir` either fails before creating anything (only existing nodes are checked for conflicts,
 *   and below the first missing name everything is new) or creates every missing directory.
 */
export class MemoryDir {
  readonly children = new Map<string, MemoryNode>();

  /** A deep copy: every directory and file is new, sharing no bytes with this one. */
  clone(): MemoryDir {
    const copy = new MemoryDir();
    for (const [name, node] of this.children) copy.children.set(name, node.clone());
    return copy;
  }
}

export class MemoryFile {
  constructor(readonly content: GrowableBuffer = new GrowableBuffer()) {}

  clone(): MemoryFile {
    return new MemoryFile(this.content.clone());
  }
}

export type MemoryNode = MemoryDir | MemoryFile;

/** Where a path leads: its parent directory and name when the parent exists, and the node there if any. */
export type Lookup =
  | {
      readonly kind: 'found';
      readonly parent: MemoryDir | undefined;
      readonly name: string;
      readonly node: MemoryNode;
    }
  | { readonly kind: 'missing'; readonly parent: MemoryDir | undefined; readonly name: string }
  /** A proper ancestor of the path is a file: the path cannot exist (`ENOTDIR` on a file system). */
  | { readonly kind: 'blocked' };

/** Resolves `path` (`''` is the root, found with no parent). */
export function lookup(root: MemoryDir, path: string): Lookup {
  if (path === '') return { kind: 'found', parent: undefined, name: '', node: root };
  const names = path.split('/');
  let dir: MemoryDir | undefined = root;
  for (let i = 0; i < names.length - 1; i++) {
    const next: MemoryNode | undefined = dir.children.get(names[i]!);
    if (next === undefined) return { kind: 'missing', parent: undefined, name: names[names.length - 1]! };
    if (next instanceof MemoryFile) return { kind: 'blocked' };
    dir = next;
  }
  const name = names[names.length - 1]!;
  const node = dir.children.get(name);
  return node === undefined
    ? { kind: 'missing', parent: dir, name }
    : { kind: 'found', parent: dir, name, node };
}

/**
 * The file at `path`: `NotFoundError` when nothing is there (also below a file, where nothing can be),
 * `EISDIR` when it is a directory.
 */
export function requireFile(root: MemoryDir, path: string, operation: string): MemoryFile {
  const found = lookup(root, path);
  if (found.kind !== 'found') throw notFound(operation, path);
  if (found.node instanceof MemoryDir) throw conflict(operation, path, 'EISDIR');
  return found.node;
}

/** The directory at `dir`, creating it and its missing ancestors; `ENOTDIR` when a file is in the way. */
export function ensureDir(root: MemoryDir, dir: string, operation: string): MemoryDir {
  if (dir === '') return root;
  let current = root;
  for (const name of dir.split('/')) {
    const next = current.children.get(name);
    if (next instanceof MemoryFile) throw conflict(operation, dir, 'ENOTDIR');
    if (next !== undefined) {
      current = next;
      continue;
    }
    const created = new MemoryDir();
    current.children.set(name, created);
    current = created;
  }
  return current;
}
