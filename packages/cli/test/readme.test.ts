import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { readmeBlocks, runReadmeBlock } from '../../../test-support/readme-blocks.js';

it('the README example runs and prints what its comment says', async () => {
  const blocks = await readmeBlocks(fileURLToPath(new URL('../README.md', import.meta.url)));
  expect(blocks).toHaveLength(1);
  const printed = await runReadmeBlock(blocks[0]!, fileURLToPath(import.meta.url));
  expect(printed).toEqual([['clean', 0, 1]]);
});
