import { describeDirectoryContract } from '@durability/conformance';
import { SimDirectory, SimObjectStore } from '../src/index.js';

describeDirectoryContract('ObjectStoreDirectory(SimObjectStore)', { create: () => new SimDirectory() });

// The same contract with a key prefix and a store shared with another prefix's data: nothing leaks across.
describeDirectoryContract('ObjectStoreDirectory(SimObjectStore) under a prefix', {
  create: async () => {
    const store = new SimObjectStore();
    const neighbour = new SimDirectory({ store, prefix: 'tenant-b' });
    await neighbour.atomicWrite('a.log', new Uint8Array([1, 2, 3]));
    await neighbour.mkdirp('d/sub');
    return new SimDirectory({ store, prefix: 'tenant-a/' });
  },
});
