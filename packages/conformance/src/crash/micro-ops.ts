/**
 * The micro-operations a workload's `Directory` calls are recorded as (`RecordingDirectory`). They are
 * the unit of the crash models: a crash point is "after the first i micro-operations completed", and a
 * crash model says which storage states may survive a crash there.
 *
 * Composite durable calls are expanded by their contract (`DIRECTORY` §DurableDirectory):
 * `atomicWriteDurable(p, b)` = `replace(p, b)` then `dirsync(parent(p))`;
 * `atomicRenameDurable(a, b)` = `rename(a, b)`, then `dirsync` of both parents; `FileWriter.sync()` =
 * `flush` then `fsync`; `FileWriter.close()` = `flush`.
 */
export type MicroOp =
  /** `createFile`: create the file, or truncate it to empty keeping its identity (O_CREAT|O_TRUNC). */
  | { readonly op: 'create'; readonly path: string }
  /** `appendFile`: create the file when missing. */
  | { readonly op: 'open'; readonly path: string }
  /** `FileWriter.write`: bytes appended at the end of the file. */
  | { readonly op: 'write'; readonly path: string; readonly bytes: Uint8Array }
  /** `FileWriter.flush`/`close`: written bytes handed to the backend (survive a process crash). */
  | { readonly op: 'flush'; readonly path: string }
  /** `FileWriter.sync`/`syncFile`: the file's data on stable storage. */
  | { readonly op: 'fsync'; readonly path: string }
  /** `syncParentDir`: every entry of `dir` on stable storage. */
  | { readonly op: 'dirsync'; readonly dir: string }
  | { readonly op: 'truncate'; readonly path: string; readonly length: number }
  /** `delete`: a file, or a directory and everything under it. */
  | { readonly op: 'delete'; readonly path: string }
  | { readonly op: 'rename'; readonly from: string; readonly to: string }
  /** `atomicWrite`/`createExclusive`: a new file with exactly `bytes`, all or nothing. */
  | { readonly op: 'replace'; readonly path: string; readonly bytes: Uint8Array }
  | { readonly op: 'mkdir'; readonly dir: string };

/** A workload's acknowledgement: entry `entryId` (and all before it) is promised at `level`. */
export interface Acknowledgement {
  /** Micro-operations completed when the promise resolved. */
  readonly afterOps: number;
  /** `flushed`: survives a process crash; `durable`: survives power loss. */
  readonly level: 'flushed' | 'durable';
  readonly entryId: number;
}

/**
 * A span of crash points where recovery must return exactly `entries` entries (e.g. inside a WAL repair,
 * which must change nothing observable).
 */
export interface ExactWindow {
  readonly fromOps: number;
  toOps: number;
  readonly entries: number;
  readonly what: string;
}

/** One line for a failure message. */
export function describeOp(op: MicroOp): string {
  switch (op.op) {
    case 'write':
      return `write ${op.path} (+${op.bytes.length} bytes)`;
    case 'replace':
      return `replace ${op.path} (${op.bytes.length} bytes)`;
    case 'truncate':
      return `truncate ${op.path} to ${op.length}`;
    case 'rename':
      return `rename ${op.from} -> ${op.to}`;
    case 'dirsync':
      return `dirsync ${op.dir === '' ? '<root>' : op.dir}`;
    case 'mkdir':
      return `mkdir ${op.dir}`;
    default:
      return `${op.op} ${op.path}`;
  }
}
