import type { FsFileHandle, FsOps } from './fs-ops.js';

/** `'open'`, `'rename'`, ... for `FsOps` calls; `'fh.write'`, `'fh.datasync'`, ... for calls on an open file. */
export type FsOpName = keyof FsOps | `fh.${keyof FsFileHandle}`;

/** One call through the seam, as an interceptor sees it. */
export interface FsCall {
  readonly op: FsOpName;
  /** The absolute path the call concerns: the opened path for `fh.*` calls, the source for `rename`/`link`. */
  readonly path: string;
  /** The arguments as passed (for `fh.*` calls, the method's own arguments). */
  readonly args: readonly unknown[];
  /**
   * Present, and true, only for calls on the `O_DSYNC` descriptor that `fh.openDataSync` returned: an
   * `fh.write` there is a durable write (data and size on stable storage when it returns), the step a
   * fault injector strikes, besides `fh.datasync`, to fail a WAL's syncs.
   */
  readonly dataSync?: true;
}

/**
 * Runs around every call. Call `proceed()` to perform it (optionally with replaced arguments, e.g. a
 * shorter `length` to simulate a short write) and return its result, or throw instead to inject a fault.
 * The result of `open` is intercepted in turn, so calls on the returned handle reach the interceptor.
 */
export type FsInterceptor = (
  call: FsCall,
  proceed: (args?: readonly unknown[]) => Promise<unknown>,
) => Promise<unknown>;

const OPS = [
  'open',
  'mkdir',
  'rename',
  'link',
  'unlink',
  'rm',
  'readdir',
  'stat',
  'lstat',
  'realpath',
] as const satisfies readonly (keyof FsOps)[];
const HANDLE_OPS = [
  'write',
  'read',
  'stat',
  'truncate',
  'datasync',
  'sync',
  'close',
  'openDataSync',
] as const satisfies readonly (keyof FsFileHandle)[];

type AnyMethod = (...args: readonly unknown[]) => Promise<unknown>;

/**
 * Wraps `ops` so that every call, including every call on a file handle it opens, passes through
 * `interceptor`: the hook for tracing call order and injecting EIO, ENOSPC or short writes in tests.
 */
export function interceptFsOps(ops: FsOps, interceptor: FsInterceptor): FsOps {
  const wrapped: Record<string, AnyMethod> = {};
  for (const op of OPS) {
    const method = (ops[op] as AnyMethod).bind(ops);
    wrapped[op] = async (...args) => {
      const result = await interceptor({ op, path: String(args[0]), args }, (replaced = args) =>
        method(...replaced),
      );
      return op === 'open'
        ? interceptHandle(result as FsFileHandle, String(args[0]), false, interceptor)
        : result;
    };
  }
  return wrapped as unknown as FsOps;
}

/** The handle `openDataSync` returns is intercepted too, under the path of the file it reopens. */
function interceptHandle(
  handle: FsFileHandle,
  path: string,
  dataSync: boolean,
  interceptor: FsInterceptor,
): FsFileHandle {
  const wrapped: Record<string, AnyMethod> = {};
  for (const name of HANDLE_OPS) {
    if (handle[name] === undefined) continue; // optional, and this handle has none
    const method = (handle[name] as AnyMethod).bind(handle);
    wrapped[name] = async (...args) => {
      const call: FsCall = dataSync
        ? { op: `fh.${name}`, path, args, dataSync }
        : { op: `fh.${name}`, path, args };
      const result = await interceptor(call, (replaced = args) => method(...replaced));
      return name === 'openDataSync'
        ? interceptHandle(result as FsFileHandle, path, true, interceptor)
        : result;
    };
  }
  return wrapped as unknown as FsFileHandle;
}
