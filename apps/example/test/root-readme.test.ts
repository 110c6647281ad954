import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { readmeBlocks, runReadmeBlock } from '../../../test-support/readme-blocks.js';

const readme = fileURLToPath(new URL('../../../README.md', import.meta.url));
const cwd = process.cwd();
let scratch: string | undefined;

afterEach(async () => {
  process.chdir(cwd);
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

it('the root README quick start runs and prints what its comments say', async () => {
  const [quickStart] = await readmeBlocks(readme);
  scratch = await mkdtemp(join(tmpdir(), 'durability-readme-'));
  process.chdir(scratch); // the quick start writes to ./data
  const printed = await runReadmeBlock(quickStart!, fileURLToPath(import.meta.url));
  expect(printed).toEqual([[2], [[1, 2]]]);
});
