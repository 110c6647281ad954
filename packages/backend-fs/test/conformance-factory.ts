import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Directory } from '@durability/core';
import { FsDirectory, type FsIoMode } from '../src/index.js';

/**
 * What the conformance suites need to run against `FsDirectory` in one I/O mode: fresh directories under
 * the OS temp dir, their removal, and `reopen` (a crash of this process). Not a test file itself.
 */
export function fsConformanceFactory(io: FsIoMode) {
  const create = async (): Promise<FsDirectory> =>
    new FsDirectory(await mkdtemp(join(tmpdir(), `durability-fs-conformance-${io}-`)), { io });

  /** What a crash of this process leaves: a copy of the directory now (the OS keeps every written byte). */
  const reopen = async (dir: Directory): Promise<Directory> => {
    const copy = await create();
    for (;;) {
      try {
        await cp((dir as FsDirectory).root, copy.root, { recursive: true });
        return copy;
      } catch (error) {
        // a call interrupted by the simulated crash may still be removing a temporary file
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  };

  const destroy = (dir: Directory): Promise<void> =>
    rm((dir as FsDirectory).root, { recursive: true, force: true });

  return { create, destroy, reopen };
}
