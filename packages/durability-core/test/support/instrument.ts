import type { Directory, FileWriter } from '../../src/index.js';

export interface Instrumented {
  dir: Directory;
  /** Every call made, as `'dir.<method>'` or `'writer.<method>'`, in order. */
  log: string[];
  /** Makes the next calls of `op` (e.g. `'writer.write'`) throw `error`, starting with call `afterCalls + 1`. */
  failOn(op: string, error: unknown, afterCalls?: number): void;
  /** Delays every writer call by a macrotask, so that async callers really interleave. */
  slowWrites(on: boolean): void;
}

/** A proxy around a backend that logs calls, injects failures and slows writers down. */
export function instrument(inner: Directory): Instrumented {
  const log: string[] = [];
  const counts = new Map<string, number>();
  const failures = new Map<string, { error: unknown; afterCalls: number }>();
  let slow = false;
  const enter = async (op: string) => {
    log.push(op);
    const count = (counts.get(op) ?? 0) + 1;
    counts.set(op, count);
    if (slow && op.startsWith('writer.')) await new Promise((resolve) => setTimeout(resolve, 0));
    const failure = failures.get(op);
    if (failure && count > failure.afterCalls) throw failure.error;
  };
  const wrapWriter = (writer: FileWriter): FileWriter => ({
    get path() {
      return writer.path;
    },
    get length() {
      return writer.length;
    },
    write: async (bytes) => {
      await enter('writer.write');
      return writer.write(bytes);
    },
    flush: async () => {
      await enter('writer.flush');
      return writer.flush();
    },
    sync: async () => {
      await enter('writer.sync');
      return writer.sync();
    },
    close: async () => {
      await enter('writer.close');
      return writer.close();
    },
  });
  const dir = new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      if (key === 'filePath') return value.bind(target);
      return async (...args: unknown[]) => {
        await enter(`dir.${key}`);
        const result = await value.apply(target, args);
        return key === 'createFile' || key === 'appendFile' ? wrapWriter(result as FileWriter) : result;
      };
    },
  });
  return {
    dir,
    log,
    failOn: (op, error, afterCalls = 0) => {
      failures.set(op, { error, afterCalls: (counts.get(op) ?? 0) + afterCalls });
    },
    slowWrites: (on) => {
      slow = on;
    },
  };
}
