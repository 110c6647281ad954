import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FsIoMode } from '@durability/backend-fs';

/**
 * Runs one measurement in a child process (same node binary and loader flags, so TypeScript sources
 * load the same way) and returns the JSON object it prints on its last stdout line. A child process per
 * measurement makes peak RSS (`maxRSS`) belong to that measurement alone.
 */
export function runChild<T>(task: ChildTask): Promise<T> {
  const script = fileURLToPath(new URL('./child-main.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, script, JSON.stringify(task)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`benchmark child ${task.kind} exited with ${code}: ${out.slice(-500)}`));
        return;
      }
      try {
        resolve(JSON.parse(out.trim().split('\n').at(-1)!) as T);
      } catch (error) {
        reject(new Error(`benchmark child ${task.kind} printed no result: ${String(error)}`));
      }
    });
  });
}

/** What a child measures: a replay (or scan) of data the parent wrote at `path`. */
export interface ChildTask {
  kind:
    | 'ours-replay-best-effort'
    | 'ours-replay-strict'
    | 'ours-resume'
    | 'raw-replay'
    | 'raw-validate'
    | 'raw-scan'
    | 'sqlite-read'
    | 'level-read';
  path: string;
  /** For `ours-*` tasks: the fs backend's I/O mode (default `'async'`). */
  io?: FsIoMode;
}

/** What every child reports. */
export interface ChildResult {
  records: number;
  ms: number;
  /** Peak resident set size of the child, bytes. */
  maxRssBytes: number;
  /** Bytes scanned, where it applies. */
  bytes?: number;
}
