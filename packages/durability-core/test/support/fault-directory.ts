import type { Directory, FileWriter } from '../../src/index.js';

/** Where an injected fault strikes: the `index`-th mutating call since `arm`, before or after it runs. */
export interface FaultPlan {
  index: number;
  /** `'before'`: the call fails and does nothing; `'after'`: it takes effect, then reports failure. */
  when: 'before' | 'after';
}

export interface FaultDirectory {
  /** Pass this to the code under test. */
  dir: Directory;
  /** Every mutating call since `arm`, as `'dir.<method> <path>'` / `'writer.<method> <path>'`. */
  calls: string[];
  /** Starts counting mutating calls from zero; fails the one `plan` names (none without a plan). */
  arm(plan?: FaultPlan): void;
  /** Stops failing (counting goes on). */
  disarm(): void;
  /** The call that was failed, if any. */
  failed: string | undefined;
}

/** Directory methods that change storage (or make it durable). Reads pass through uncounted. */
const MUTATING = new Set([
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

/** An EIO shaped like Node's, so the guard maps it to `IoError` as it would a real one. */
export function injectedFault(call: string, syscall = 'injected'): Error {
  return Object.assign(new Error(`injected EIO at ${call}`), { code: 'EIO', syscall });
}

/** The counting and striking both fault harnesses share: `run` names a call, counts it, and fails the planned one. */
export function faultInjector(): {
  state: Omit<FaultDirectory, 'dir'>;
  run<T>(call: string, action: () => Promise<T>, syscall?: string): Promise<T>;
} {
  let plan: FaultPlan | undefined;
  const state: Omit<FaultDirectory, 'dir'> = {
    calls: [],
    failed: undefined,
    arm(next) {
      plan = next;
      state.calls = [];
      state.failed = undefined;
    },
    disarm() {
      plan = undefined;
    },
  };
  const run = async <T>(call: string, action: () => Promise<T>, syscall?: string): Promise<T> => {
    const index = state.calls.push(call) - 1;
    const strike = plan !== undefined && plan.index === index;
    if (strike && plan!.when === 'before') {
      state.failed = call;
      throw injectedFault(call, syscall);
    }
    const result = await action();
    if (strike) {
      // What the failed call opened (a writer, a file handle) is not handed out: close it so nothing leaks.
      const opened = result as { close?: () => Promise<void> } | undefined;
      if (typeof opened?.close === 'function') await opened.close().catch(() => undefined);
      state.failed = call;
      throw injectedFault(call, syscall);
    }
    return result;
  };
  return { state, run };
}

/**
 * A Directory proxy that fails a chosen mutating call: any directory method that changes storage, and
 * `write` / `flush` / `sync` on any writer it hands out. Used to fail every step of a publish in turn.
 */
export function faultDirectory(inner: Directory): FaultDirectory {
  const { state, run } = faultInjector();
  const harness = Object.assign(state, { dir: undefined as unknown as Directory });
  const wrapWriter = (writer: FileWriter): FileWriter => ({
    get path() {
      return writer.path;
    },
    get length() {
      return writer.length;
    },
    write: (bytes) => run(`writer.write ${writer.path}`, () => writer.write(bytes)),
    flush: () => run(`writer.flush ${writer.path}`, () => writer.flush()),
    sync: () => run(`writer.sync ${writer.path}`, () => writer.sync()),
    close: () => writer.close(),
  });
  harness.dir = new Proxy(inner, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      if (!MUTATING.has(key)) return value.bind(target);
      return async (...args: unknown[]) => {
        const result = await run(`dir.${key} ${String(args[0])}`, () => value.apply(target, args));
        return key === 'createFile' || key === 'appendFile' ? wrapWriter(result as FileWriter) : result;
      };
    },
  });
  return harness;
}
