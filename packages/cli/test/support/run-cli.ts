import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_BUILD_DIR } from './test-build-dir.js';

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** The executable bundled from the sources by the global setup (build-cli.ts). */
const CLI = join(TEST_BUILD_DIR, 'cli.js');

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the `durability` executable (src/cli.ts bundled by build-cli.ts) in a child process as a user's
 * shell would. stderr is a pipe, so no progress bar.
 */
export function durability(args: readonly string[], env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      {
        cwd: PACKAGE_DIR,
        env: { ...process.env, ...env },
        maxBuffer: 64 * 1024 * 1024,
        timeout: 20_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (error as { code?: unknown }).code : 0;
        if (typeof code !== 'number') {
          reject(
            new Error(`durability ${args.join(' ')} did not exit normally: ${String(error)}\n${stderr}`),
          );
          return;
        }
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Parses the single JSON document a `--json` run prints. */
export function json<T = Record<string, unknown>>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(
      `stdout is not one JSON document (exit ${run.code}):\n${run.stdout}\nstderr:\n${run.stderr}`,
    );
  }
}
