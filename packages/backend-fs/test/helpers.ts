import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import type { FsCall, FsOps } from '../src/index.js';
import { interceptFsOps, nodeFsOps } from '../src/index.js';

const created: string[] = [];

afterEach(async () => {
  await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh empty directory under the OS temp dir, removed after the test. */
export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'durability-fs-test-'));
  created.push(dir);
  return dir;
}

/** `nodeFsOps` that records every call, file-handle calls included, in `log`. */
export function tracingOps(log: FsCall[]): FsOps {
  return interceptFsOps(nodeFsOps, (call, proceed) => {
    log.push(call);
    return proceed();
  });
}

/** An error shaped like the ones Node's fs throws. */
export function errnoError(code: string, syscall: string, path = '/somewhere'): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected, ${syscall} '${path}'`), {
    code,
    syscall,
    path,
    errno: -5,
  });
}

/**
 * `nodeFsOps` where the call numbered `failAt` (0-based, counting every call through the seam) throws an
 * errno error instead of running. Calls are counted in `calls`.
 */
export function failingOps(failAt: number, code = 'EIO', calls: FsCall[] = []): FsOps {
  return interceptFsOps(nodeFsOps, (call, proceed) => {
    const index = calls.push(call) - 1;
    if (index === failAt) return Promise.reject(errnoError(code, call.op, call.path));
    return proceed();
  });
}

/** Names in `dir` on disk, sorted; `[]` when it does not exist. */
export async function namesOnDisk(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (data: Uint8Array): string => new TextDecoder().decode(data);
