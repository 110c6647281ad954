/**
 * @durability/backend-s3: an `ObjectStore` (the contract of `@durability/core`'s object-store directory)
 * on the AWS SDK v3 S3 client, for AWS S3, Ceph RGW and other S3-compatible servers that enforce
 * conditional PUTs.
 */

export type { RetryPolicy } from './retry.js';
export { DEFAULT_RETRY_POLICY } from './retry.js';
export type { S3ObjectStoreOptions } from './s3-object-store.js';
export { S3ObjectStore } from './s3-object-store.js';
