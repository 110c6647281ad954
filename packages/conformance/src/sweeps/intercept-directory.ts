import type { Directory, FileWriter } from '@durability/core';

/** The calls an interceptor sees: every method that changes storage or makes it durable, on the directory or a writer. */
export type InterceptedOp =
  | 'createFile'
  | 'appendFile'
  | 'createExclusive'
  | 'delete'
  | 'mkdirp'
  | 'truncate'
  | 'rename'
  | 'atomicWrite'
  | 'syncFile'
  | 'syncParentDir'
  | 'atomicWriteDurable'
  | 'atomicRenameDurable'
  | 'writer.write'
  | 'writer.flush'
  | 'writer.sync'
  | 'writer.writeAndSync'
  | 'writer.close';

const DIRECTORY_OPS = new Set<string>([
  'createFile',
  'appendFile',
  'createExclusive',
  'delete',
  'mkdirp',
  'truncate',
  'rename',
  'atomicWrite',
  'syncFile',
  'syncParentDir',
  'atomicWriteDurable',
  'atomicRenameDurable',
]);

export interface InterceptedCall {
  readonly op: InterceptedOp;
  /** The path the call names (the source of a rename); a writer's own path for writer calls. */
  readonly path: string;
  /** The arguments as given: `[bytes]` for `writer.write` and `writer.writeAndSync`, the directory method's arguments otherwise. */
  readonly args: readonly unknown[];
}

/**
 * Decides what happens to one call: run it with `proceed` (optionally with other arguments), fail it,
 * or both. Whatever it returns or throws is what the caller sees.
 */
export type Interceptor = (
  call: InterceptedCall,
  proceed: (args?: readonly unknown[]) => Promise<unknown>,
) => Promise<unknown>;

/**
 * A `Directory` that routes every mutating call (directory methods, and `write`/`flush`/`sync`/`close`,
 * and `writeAndSync` where the backend's writer has it, on the writers it hands out) through `interceptor`, and passes reads and everything else straight to
 * `inner`. Writers returned by `createFile`/`appendFile` are wrapped the same way.
 */
export function interceptDirectory(inner: Directory, interceptor: Interceptor): Directory {
  const wrapWriter = (writer: FileWriter): FileWriter => {
    const through =
      (op: InterceptedOp, run: (args: readonly unknown[]) => Promise<unknown>) =>
      (...args: unknown[]): Promise<void> =>
        interceptor({ op, path: writer.path, args }, (override) => run(override ?? args)) as Promise<void>;
    const wrapped: FileWriter = {
      get path() {
        return writer.path;
      },
      get length() {
        return writer.length;
      },
      write: through('writer.write', (args) => writer.write(args[0] as Uint8Array)),
      flush: through('writer.flush', () => writer.flush()),
      sync: through('writer.sync', () => writer.sync()),
      close: through('writer.close', () => writer.close()),
    };
    const { writeAndSync } = writer;
    if (writeAndSync) {
      wrapped.writeAndSync = through('writer.writeAndSync', (args) =>
        writeAndSync.call(writer, args[0] as Uint8Array),
      );
    }
    return wrapped;
  };
  return new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      if (!DIRECTORY_OPS.has(key)) return value.bind(target);
      return async (...args: unknown[]) => {
        const call: InterceptedCall = { op: key as InterceptedOp, path: String(args[0]), args };
        const result = await interceptor(call, (override) => value.apply(target, override ?? args));
        return key === 'createFile' || key === 'appendFile' ? wrapWriter(result as FileWriter) : result;
      };
    },
  });
}
