import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ChildMessage } from './wal-child.js';

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
const CHILD_SCRIPT = fileURLToPath(new URL('./wal-child.ts', import.meta.url));
/** Maps `@durability/core` and `@durability/backend-fs` to their sources (`compilerOptions.paths`). */
const TSCONFIG = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));

/** A child process running wal-child.ts from source (`node --import tsx`), with its IPC messages. */
export interface Child {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Every message received so far, in order. */
  readonly messages: ChildMessage[];
  /** Resolves with the first message matching `test` (already received or later); rejects if the child ends first. */
  waitFor(test: (m: ChildMessage) => boolean, timeoutMs?: number): Promise<ChildMessage>;
  /** Resolves once the process has exited and its IPC channel and stdio are closed (so it is reaped). */
  readonly closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** What the child wrote to stderr (for failure messages). */
  stderr(): string;
}

export function spawnChild(args: readonly string[]): Child {
  const child = fork(CHILD_SCRIPT, [...args], {
    cwd: PACKAGE_DIR,
    execPath: process.execPath,
    execArgv: ['--import', 'tsx'],
    env: { ...process.env, TSX_TSCONFIG_PATH: TSCONFIG },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    serialization: 'json',
  });
  if (child.pid === undefined) throw new Error('could not spawn the crash-test child');
  const messages: ChildMessage[] = [];
  const waiters: { test: (m: ChildMessage) => boolean; resolve: (m: ChildMessage) => void }[] = [];
  let err = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  child.on('message', (raw) => {
    const message = raw as ChildMessage;
    messages.push(message);
    for (const w of waiters.splice(0)) {
      if (w.test(message)) w.resolve(message);
      else waiters.push(w);
    }
  });
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  return {
    process: child,
    pid: child.pid,
    messages,
    closed,
    stderr: () => err,
    waitFor(test, timeoutMs = 20_000) {
      const found = messages.find(test);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(new Error(`child ${child.pid}: no expected message in ${timeoutMs} ms; stderr:\n${err}`)),
          timeoutMs,
        );
        waiters.push({
          test,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
        void closed.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(
            new Error(`child ${child.pid} ended (code ${code}, signal ${signal}) first; stderr:\n${err}`),
          );
        });
      });
    },
  };
}

/** SIGKILL, then wait until the process is reaped (so `kill(pid, 0)` answers ESRCH). */
export async function killHard(child: Child): Promise<void> {
  child.process.kill('SIGKILL');
  await child.closed;
}
