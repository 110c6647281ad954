import { describeBackend, describeDirectoryContract } from '@durability/conformance';
import type { Directory } from '@durability/core';
import { SimDirectory, SimObjectStore } from '../src/index.js';

// The whole conformance suite under the object-store crash model, exactly as a third party would run it.
// `reopen`: a crash of this process leaves the bucket as it is (every completed request is durable).
describeBackend('ObjectStoreDirectory(SimObjectStore)', {
  create: () => new SimDirectory(),
  crashModel: 'objectStore',
  reopen: (dir: Directory) => new SimDirectory({ store: (dir as SimDirectory).store.clone() }),
});

// The directory contract again with a key prefix and a store shared with another prefix's data: nothing
// leaks across.
describeDirectoryContract('ObjectStoreDirectory(SimObjectStore) under a prefix', {
  create: async () => {
    const store = new SimObjectStore();
    const neighbour = new SimDirectory({ store, prefix: 'tenant-b' });
    await neighbour.atomicWrite('a.log', new Uint8Array([1, 2, 3]));
    await neighbour.mkdirp('d/sub');
    return new SimDirectory({ store, prefix: 'tenant-a/' });
  },
});
