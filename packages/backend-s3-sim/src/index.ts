/**
 * @durability/backend-s3-sim: `SimObjectStore`, an in-process object store with Amazon S3's semantics
 * and seeded fault injection, and `SimDirectory`, the object-store `Directory` of `@durability/core`
 * over it. No AWS SDK, no network.
 */
export { compareUtf8 } from './key-order.js';
export { SeededRandom } from './random.js';
export type { SimDirectoryOptions } from './sim-directory.js';
export { createSimDirectory, SimDirectory } from './sim-directory.js';
export type { SimSnapshot } from './sim-object-store.js';
export { SimObjectStore } from './sim-object-store.js';
export type {
  SimEffect,
  SimFaults,
  SimObject,
  SimObjectStoreOptions,
  SimOutcome,
  SimRequest,
  SimRequestKind,
  SimStats,
} from './sim-types.js';
