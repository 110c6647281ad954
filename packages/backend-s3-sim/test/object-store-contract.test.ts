import { readFile } from 'node:fs/promises';
import { SimObjectStore } from '@durability/backend-s3-sim';
import { describeObjectStoreContract } from '@durability/conformance';
import { expect, it } from 'vitest';
import { readmeBlocks } from '../../../test-support/readme-blocks.js';

// Core's ObjectStore contract on SimObjectStore, exactly as a third-party store runs it: this call is the
// example of the conformance README's "Object stores" section (checked below).
describeObjectStoreContract('SimObjectStore', { create: () => new SimObjectStore() });

it("is the conformance README's describeObjectStoreContract example", async () => {
  const blocks = await readmeBlocks(new URL('../../conformance/README.md', import.meta.url).pathname);
  const example = blocks.find((block) => block.includes("describeObjectStoreContract('SimObjectStore'"));
  expect(example).toBeDefined();
  const self = await readFile(new URL(import.meta.url), 'utf8');
  const lines = example!.split('\n').filter((line) => line.trim() !== '');
  for (const line of lines) expect(self).toContain(line);
});
