import { type Directory, IoError } from '@durability/core';
import { type InterceptedCall, type InterceptedOp, interceptDirectory } from '../intercept-directory.js';

/**
 * The I/O faults the sweep injects (ARCHITECTURE §4, fail-stop):
 * - `eio-write`: a write fails with EIO and writes nothing (`write`, `writeAndSync`, `flush`,
 *   `createExclusive`, `atomicWrite*`);
 * - `enospc`: a call that needs space fails with ENOSPC and does nothing (the writes above, plus
 *   `createFile`, `appendFile`, `mkdirp`, `rename`, `atomicRenameDurable`);
 * - `short-write`: a `write` or `writeAndSync` of two or more bytes writes its first half, then fails
 *   with ENOSPC;
 * - `failed-sync`: a sync (`sync`, `writeAndSync`, `syncFile`, `syncParentDir`, `atomicWriteDurable`) takes effect and
 *   then reports EIO, as a failed fsync does on Linux (the data may or may not be on disk: the caller
 *   can no longer know).
 * Injected errors are `IoError`s with `errno`, as the Directory contract says a backend reports failed I/O.
 */
export type FaultKind = 'eio-write' | 'enospc' | 'short-write' | 'failed-sync';

export const FAULT_KINDS: readonly FaultKind[] = ['eio-write', 'enospc', 'short-write', 'failed-sync'];

const WRITES = new Set<InterceptedOp>([
  'writer.write',
  'writer.writeAndSync',
  'writer.flush',
  'createExclusive',
  'atomicWrite',
  'atomicWriteDurable',
]);
const NEEDS_SPACE = new Set<InterceptedOp>([
  ...WRITES,
  'createFile',
  'appendFile',
  'mkdirp',
  'rename',
  'atomicRenameDurable',
]);
const SYNCS = new Set<InterceptedOp>([
  'writer.sync',
  'writer.writeAndSync',
  'syncFile',
  'syncParentDir',
  'atomicWriteDurable',
]);
/** Calls that carry bytes to append: a `short-write` can cut them. */
const APPENDS = new Set<InterceptedOp>(['writer.write', 'writer.writeAndSync']);

/** One call as the sweep lists it. */
export interface CallRecord {
  readonly index: number;
  readonly op: InterceptedOp;
  readonly path: string;
  /** Bytes a `write` or `writeAndSync` carried (for `short-write` eligibility); 0 otherwise. */
  readonly bytes: number;
}

/** Whether `kind` can strike `call`. */
export function canStrike(kind: FaultKind, call: Pick<CallRecord, 'op' | 'bytes'>): boolean {
  switch (kind) {
    case 'eio-write':
      return WRITES.has(call.op);
    case 'enospc':
      return NEEDS_SPACE.has(call.op);
    case 'short-write':
      return APPENDS.has(call.op) && call.bytes >= 2;
    case 'failed-sync':
      return SYNCS.has(call.op);
  }
}

/** The fault to inject: the `index`-th intercepted call, if `kind` can strike it. */
export interface FaultPlan {
  readonly index: number;
  readonly kind: FaultKind;
}

/**
 * Wraps a backend, numbers every mutating call (directory methods and writer `write`/`flush`/`sync`/
 * `close`, from 0), and fails the one the plan names. `struck` holds the error it threw, so the sweep can
 * check that the caller saw that very failure.
 */
export class FaultInjectingDirectory {
  readonly dir: Directory;
  readonly calls: CallRecord[] = [];
  struck: { call: CallRecord; error: IoError } | undefined;

  constructor(
    inner: Directory,
    private readonly plan?: FaultPlan,
  ) {
    this.dir = interceptDirectory(inner, (call, proceed) => this.intercept(call, proceed));
  }

  private async intercept(call: InterceptedCall, proceed: (args?: readonly unknown[]) => Promise<unknown>) {
    const record: CallRecord = {
      index: this.calls.length,
      op: call.op,
      path: call.path,
      bytes: APPENDS.has(call.op) ? (call.args[0] as Uint8Array).length : 0,
    };
    this.calls.push(record);
    const plan = this.plan;
    if (plan === undefined || plan.index !== record.index || !canStrike(plan.kind, record)) return proceed();
    const fail = (errno: 'EIO' | 'ENOSPC'): IoError => {
      const error = new IoError(`injected ${errno} (${plan.kind}) at call ${record.index}: ${call.op}`, {
        path: call.path,
        errno,
        syscall: call.op,
      });
      this.struck = { call: record, error };
      return error;
    };
    switch (plan.kind) {
      case 'eio-write':
        throw fail('EIO');
      case 'enospc':
        throw fail('ENOSPC');
      case 'short-write': {
        const bytes = call.args[0] as Uint8Array;
        await proceed([bytes.subarray(0, Math.floor(bytes.length / 2))]);
        throw fail('ENOSPC');
      }
      case 'failed-sync':
        await proceed();
        throw fail('EIO');
    }
  }
}
