import { ObjectStoreDirectory } from '@durability/core';
import { SimObjectStore } from './sim-object-store.js';
import type { SimObjectStoreOptions } from './sim-types.js';

export interface SimDirectoryOptions extends SimObjectStoreOptions {
  /** The store to use; default a new `SimObjectStore` made from the other options. */
  store?: SimObjectStore;
  /** Key prefix of the directory's objects (see `ObjectStoreDirectoryOptions.prefix`). */
  prefix?: string;
  /** See `ObjectStoreDirectoryOptions.maxPartBytes`. */
  maxPartBytes?: number;
}

/**
 * `ObjectStoreDirectory` over a `SimObjectStore`: a `DurableDirectory` with object-store semantics
 * (appends as part objects, conditional-PUT lock, fencing), whose `store` exposes the counters, the
 * request log and fault injection.
 */
export class SimDirectory extends ObjectStoreDirectory {
  declare readonly store: SimObjectStore;

  constructor(options: SimDirectoryOptions = {}) {
    const { store, prefix, maxPartBytes, ...storeOptions } = options;
    super(store ?? new SimObjectStore(storeOptions), { prefix, maxPartBytes });
  }
}

/** A `SimDirectory` over a fresh `SimObjectStore` (or `options.store`). */
export function createSimDirectory(options: SimDirectoryOptions = {}): SimDirectory {
  return new SimDirectory(options);
}
