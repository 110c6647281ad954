import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeBackend } from '@durability/conformance';
import type { Directory } from '@durability/core';
import { FsDirectory } from '../src/index.js';

const temporary = async (): Promise<FsDirectory> =>
  new FsDirectory(await mkdtemp(join(tmpdir(), 'durability-fs-conformance-')));

/** What a crash of this process leaves: a copy of the directory now (the OS keeps every written byte). */
async function reopen(dir: Directory): Promise<Directory> {
  const copy = await temporary();
  for (;;) {
    try {
      await cp((dir as FsDirectory).root, copy.root, { recursive: true });
      return copy;
    } catch (error) {
      // a call interrupted by the simulated crash may still be removing a temporary file
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

describeBackend('FsDirectory', {
  create: temporary,
  destroy: (dir) => rm((dir as FsDirectory).root, { recursive: true, force: true }),
  crashModel: 'fs',
  reopen,
});
