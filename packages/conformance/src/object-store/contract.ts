import { describe } from 'vitest';
import { describeConditionalWrites } from './conditional-tests.js';
import { type ObjectStoreContractOptions, StoreFixture } from './harness.js';
import { describeListing } from './list-tests.js';
import { describeObjects } from './object-tests.js';

export type { ObjectStoreContractOptions } from './harness.js';

/**
 * Registers the `ObjectStore` contract suite (vitest) for one implementation: PUT/GET/HEAD/DELETE, ranged
 * GET with clipping, user metadata, LIST order, prefixes, delimiters and pagination (past 1,000 keys),
 * `ifNoneMatch: '*'` and `ifMatch` alone and under 16 concurrent writers, and the typed errors. Every
 * test gets a fresh, empty store from `create` and hands it to `destroy` afterwards.
 *
 * ```ts
 * import { describeObjectStoreContract } from '@durability/conformance';
 * import { SimObjectStore } from '@durability/backend-s3-sim';
 *
 * describeObjectStoreContract('SimObjectStore', { create: () => new SimObjectStore() });
 * ```
 *
 * A race's loser may get `UnknownOutcomeError` instead of `PreconditionFailedError` (Ceph RGW answers
 * most losing compare-and-swaps with 500); the suite then checks the stored object, as a caller would.
 */
export function describeObjectStoreContract(name: string, options: ObjectStoreContractOptions): void {
  const fixture = new StoreFixture(options);
  describe(`${name}: ObjectStore contract`, () => {
    describeObjects(fixture);
    describeListing(fixture);
    describeConditionalWrites(fixture);
  });
}
