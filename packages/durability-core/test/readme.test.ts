import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { readmeBlocks, runReadmeBlock } from '../../../test-support/readme-blocks.js';

const readme = fileURLToPath(new URL('../README.md', import.meta.url));

it('the README write-ahead log example runs and prints what its comments say', async () => {
  const [walExample] = await readmeBlocks(readme);
  const printed = await runReadmeBlock(walExample!, fileURLToPath(import.meta.url));
  expect(printed).toEqual([[2], [2, 1]]);
});

it('the README record log example runs and prints what its comments say', async () => {
  const [, recordLogExample] = await readmeBlocks(readme);
  const printed = await runReadmeBlock(recordLogExample!, fileURLToPath(import.meta.url));
  expect(printed).toEqual([[[{ user: 'ada', balance: 10 }], 'clean-end']]);
});

it('the README checkpoints and recovery example runs and prints what its comments say', async () => {
  const checkpointExample = (await readmeBlocks(readme)).find((block) =>
    block.includes('CheckpointPublisher'),
  );
  const printed = await runReadmeBlock(checkpointExample!, fileURLToPath(import.meta.url));
  expect(printed).toEqual([
    ['checkpoints/checkpoint_00000000000000000002.vckp', 3],
    [
      [
        [1, [42]],
        [2, []],
      ],
      4,
    ],
  ]);
});

it('the README object-store example runs and prints what its comments say', async () => {
  const example = (await readmeBlocks(readme)).find((block) => block.includes('ObjectStoreDirectory'));
  const printed = await runReadmeBlock(example!, fileURLToPath(import.meta.url));
  expect(printed).toEqual([[1]]);
});
