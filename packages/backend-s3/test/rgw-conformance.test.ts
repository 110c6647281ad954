import { describeBackend } from '@durability/conformance';
import { ObjectStoreDirectory } from '@durability/core';
import type { S3ObjectStore } from '../src/index.js';
import { describeWithS3, emptyStore, newStore } from './support/s3-env.js';

// The conformance suite on the real S3 protocol (Ceph RGW in CI), under the object-store crash model,
// as a third party would run it. Each instance is a fresh key prefix, emptied afterwards.
describeWithS3('conformance on a real S3 server', (env) => {
  describeBackend('ObjectStoreDirectory(S3ObjectStore)', {
    create: () => new ObjectStoreDirectory(newStore(env, 'conformance')),
    destroy: (dir) => emptyStore((dir as ObjectStoreDirectory).store as S3ObjectStore),
    crashModel: 'objectStore',
    // Over the network every bit flip costs requests: the corruption sweep (a property of the byte
    // formats, read through the same ObjectStoreDirectory) runs in full on s3-sim; here a seeded sample
    // of fault cases keeps the run to about a minute.
    sweeps: { corruption: false, faults: { cases: 48 } },
  });
});
