import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Directory } from '@durability/core';
import type { Ack } from './writer-loop.js';
import { runCrashingWriter } from './writer-loop.js';

/** What a crash left, and what the writer had acknowledged before it. */
export interface CrashOutcome {
  how: string;
  /** The storage as it is after the crash, opened as a new process would. */
  directory: Directory;
  /** The first id the crashing writer appended. */
  firstEntryId: number;
  /** The highest id acknowledged by `flush()` / `flushAndSync()` before the crash (0: none). */
  lastFlushed: number;
  lastSynced: number;
  /** True when flushed (not synced) entries must survive this kind of crash (a process crash). */
  flushSurvives: boolean;
}

/** Acknowledgements collected from the crashing writer. */
class AckLog {
  firstEntryId = 0;
  lastFlushed = 0;
  lastSynced = 0;
  count = 0;

  record(ack: Ack): void {
    if (ack.kind === 'resumed') this.firstEntryId = ack.nextEntryId;
    else {
      this.count++;
      this.lastFlushed = Math.max(this.lastFlushed, ack.lastEntryId);
      if (ack.kind === 'synced') this.lastSynced = Math.max(this.lastSynced, ack.lastEntryId);
    }
  }
}

const CHILD_TIMEOUT_MS = 30_000;

/**
 * A real crash: a child process (`writer-child`) resumes the WAL and appends until it is killed with
 * SIGKILL, at a random moment after `minAcks` acknowledgements, so the kill lands mid-write.
 */
export async function crashChildProcess(
  env: NodeJS.ProcessEnv,
  reopen: () => Directory,
  minAcks = 24,
): Promise<CrashOutcome> {
  const acks = new AckLog();
  const child = forkWriter(env);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the writer child acknowledged only ${acks.count} batches in ${CHILD_TIMEOUT_MS} ms`));
    }, CHILD_TIMEOUT_MS);
    let killing = false;
    child.on('message', (message) => {
      acks.record(message as Ack);
      if (acks.count >= minAcks && !killing) {
        killing = true;
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 5));
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`the writer child exited on its own (code ${code}, signal ${signal})`));
    });
  });
  return {
    how: `killed the writer process (pid ${child.pid}) with SIGKILL mid-write`,
    directory: reopen(),
    firstEntryId: acks.firstEntryId,
    lastFlushed: acks.lastFlushed,
    lastSynced: acks.lastSynced,
    flushSurvives: true,
  };
}

/**
 * The writer child: `writer-child.js` beside this code in `dist/` (main.js bundles this module), or
 * `writer-child.ts` beside this source when it runs through tsx (tests).
 */
function forkWriter(env: NodeJS.ProcessEnv): ChildProcess {
  const typescript = import.meta.url.endsWith('.ts');
  const script = fileURLToPath(new URL(`./writer-child.${typescript ? 'ts' : 'js'}`, import.meta.url));
  if (!existsSync(script)) throw new Error(`the writer child is missing: ${script} (run pnpm build)`);
  return fork(script, [], {
    env,
    execArgv: typescript ? ['--import', 'tsx'] : [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}

/**
 * A simulated crash, for storage that lives in this process (memory, s3-sim): the writer runs here, and
 * at a random moment between two of its operations the storage is copied (`snapshot`); the copy is what
 * a crash at that instant leaves. The writer is then stopped and the original storage discarded.
 */
export async function crashInProcess(
  directory: Directory,
  snapshot: () => Directory,
  minAcks = 24,
): Promise<CrashOutcome> {
  const acks = new AckLog();
  const crashAt = minAcks + Math.floor(Math.random() * 8);
  let copy: Directory | undefined;
  let seen: AckLog | undefined;
  const wal = await runCrashingWriter(
    directory,
    (ack) => {
      acks.record(ack);
      if (acks.count === crashAt) {
        copy = snapshot();
        seen = Object.assign(new AckLog(), acks);
      }
    },
    () => copy !== undefined,
  );
  await wal.close();
  return {
    how: `copied the storage between two writer operations (after ${crashAt} acknowledgements): what a crash of this process at that instant leaves`,
    directory: copy!,
    firstEntryId: seen!.firstEntryId,
    lastFlushed: seen!.lastFlushed,
    lastSynced: seen!.lastSynced,
    flushSurvives: true,
  };
}
