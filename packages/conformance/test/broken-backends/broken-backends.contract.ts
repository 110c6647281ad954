// Not a test file of its own: `suite-catches-broken-backends.test.ts` runs it in a child vitest.
import { describeDirectoryContract } from '../../src/index.js';
import { BROKEN_BACKENDS } from './broken-directories.js';

for (const [name, backend] of Object.entries(BROKEN_BACKENDS)) {
  describeDirectoryContract(name, { create: backend.create });
}
