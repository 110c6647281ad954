import { describeBackend } from '@durability/conformance';
import { MemoryDirectory } from '../src/index.js';

// The decoder fuzz does not depend on the backend; this is the one run that includes it.
describeBackend('MemoryDirectory', {
  create: () => new MemoryDirectory(),
  crashModel: 'memory',
  sweeps: { fuzz: {} },
});
