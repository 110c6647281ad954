import { type FsCall, FsDirectory, interceptFsOps, nodeFsOps } from '@durability/backend-fs';
import { type FaultPlan, faultInjector } from './fault-directory.js';

/**
 * An `FsDirectory` whose file-system calls (the backend's `FsOps` seam) can fail one at a time: this
 * reaches inside composite operations, so `atomicWriteDurable` fails at its temp create, temp write,
 * temp fsync, rename or directory fsync separately. Counted calls are those that change storage or make
 * it durable: `open` for writing, `mkdir`, `rename`, `link`, `unlink`, `rm`, and `write`, `truncate`,
 * `datasync`, `sync` on a handle. Reads, `stat`, `close` pass uncounted.
 */
export interface FaultFs {
  dir: FsDirectory;
  calls: string[];
  arm(plan?: FaultPlan): void;
  disarm(): void;
  failed: string | undefined;
}

const MUTATING = new Set([
  'mkdir',
  'rename',
  'link',
  'unlink',
  'rm',
  'fh.write',
  'fh.truncate',
  'fh.datasync',
  'fh.sync',
]);

function counted(call: FsCall): boolean {
  if (call.op === 'open') return call.args[1] !== 'r';
  return MUTATING.has(call.op);
}

export function faultFsDirectory(root: string): FaultFs {
  const { state, run } = faultInjector();
  const ops = interceptFsOps(nodeFsOps, async (call, proceed) => {
    if (!counted(call)) return proceed();
    // Temp names are random: name them by their pattern so runs compare.
    const relative = call.path
      .slice(root.length + 1)
      .replace(/\.durability-tmp-[0-9a-f]{16}$/, '.durability-tmp-*');
    return run(`${call.op} ${relative || '.'}`, proceed, call.op);
  });
  return Object.assign(state, { dir: new FsDirectory(root, { ops }) });
}
