import { describe } from 'vitest';
import { describeAtomicOperations } from './directory/atomic-tests.js';
import { describeCapabilities } from './directory/capability-tests.js';
import { type DirectoryContractOptions, Fixture } from './directory/harness.js';
import { describeNamespace } from './directory/namespace-tests.js';
import { describeProperties } from './directory/property-tests.js';
import { describeReading } from './directory/reading-tests.js';
import { describeUnsafePaths } from './directory/unsafe-path-tests.js';
import { describeWriting } from './directory/writing-tests.js';

export type { DirectoryContractOptions } from './directory/harness.js';

/**
 * Registers the `Directory` contract suite (vitest) for one backend. Every test gets a fresh directory
 * from `create` and hands it to `destroy` afterwards. The raw backend is tested, not a
 * `guardDirectory` wrapper: a backend must itself refuse unsafe paths.
 *
 * ```ts
 * import { describeDirectoryContract } from '@durability/conformance';
 * import { MemoryDirectory } from '@durability/backend-memory';
 *
 * describeDirectoryContract('MemoryDirectory', { create: () => new MemoryDirectory() });
 * ```
 *
 * Capability-dependent tests select themselves from the capabilities of one probe instance (created
 * and destroyed while the suite is collected), in both directions: a backend that says `durableSync:
 * false` must refuse the durable operations, one that says `true` must perform them.
 */
export function describeDirectoryContract(name: string, options: DirectoryContractOptions): void {
  const fixture = new Fixture(options);
  describe(`${name}: Directory contract`, async () => {
    const capabilities = await fixture.run(async (dir) => ({ ...dir.capabilities }));
    describeCapabilities(fixture, capabilities);
    describeWriting(fixture);
    describeReading(fixture);
    describeNamespace(fixture);
    describeAtomicOperations(fixture);
    describeUnsafePaths(fixture);
    describeProperties(fixture);
  });
}
