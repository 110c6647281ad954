import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeDirectoryContract } from '@durability/conformance';
import type { Directory } from '@durability/core';
import { FsDirectory } from '../src/index.js';

describeDirectoryContract('FsDirectory', {
  create: async () => new FsDirectory(await mkdtemp(join(tmpdir(), 'durability-fs-contract-'))),
  destroy: (dir: Directory) => rm((dir as FsDirectory).root, { recursive: true, force: true }),
});
