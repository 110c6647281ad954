import { describeObjectStoreContract } from '@durability/conformance';
import type { S3ObjectStore } from '../src/index.js';
import { describeWithS3, emptyStore, newStore } from './support/s3-env.js';

describeWithS3('S3ObjectStore on a real S3 server', (env) => {
  describeObjectStoreContract('S3ObjectStore', {
    create: () => newStore(env, 'contract'),
    destroy: (store) => emptyStore(store as S3ObjectStore),
  });
});
