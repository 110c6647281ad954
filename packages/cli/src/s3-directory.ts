import { InvalidConfigError, ObjectStoreDirectory } from '@durability/core';
import type { BackendSpec, OpenedDirectory } from './open-directory.js';

/**
 * The S3 backend: `S3ObjectStore` (@durability/backend-s3, the AWS SDK v3 client) under core's
 * `ObjectStoreDirectory` (ARCHITECTURE §5a: appended files as numbered part objects, the lock as a
 * conditional PUT). This module is imported only for `--backend s3`, so fs use never loads the AWS SDK.
 *
 * Credentials come from `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` (and `AWS_SESSION_TOKEN` when set).
 * Path-style URLs are used whenever an endpoint is given (RGW, MinIO and most non-AWS servers need them).
 */
export async function openS3Directory(
  spec: Extract<BackendSpec, { backend: 's3' }>,
): Promise<OpenedDirectory> {
  const accessKeyId = process.env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = process.env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) {
    throw new InvalidConfigError(
      '--backend s3 needs credentials in AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  }
  let endpoint: URL;
  try {
    endpoint = new URL(spec.endpoint);
  } catch {
    throw new InvalidConfigError('--endpoint must be a URL such as http://127.0.0.1:7480', {
      actual: spec.endpoint,
    });
  }
  if (endpoint.protocol !== 'http:' && endpoint.protocol !== 'https:') {
    throw new InvalidConfigError('--endpoint must be an http:// or https:// URL', { actual: spec.endpoint });
  }
  // The SDK's multi-line "Node 20 support ends" notice would break the one-line error contract on
  // stderr; a user who set the variable either way keeps their choice.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const { S3ObjectStore } = await import('@durability/backend-s3');
  const sessionToken = process.env.AWS_SESSION_TOKEN || undefined;
  const store = new S3ObjectStore({
    bucket: spec.bucket,
    endpoint: spec.endpoint,
    region: spec.region ?? 'us-east-1',
    credentials: { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
    forcePathStyle: true,
  });
  const prefix = spec.prefix.replace(/^\/+/, '');
  return {
    dir: new ObjectStoreDirectory(store, { prefix }),
    location: `s3://${spec.bucket}/${prefix}`,
    backend: 's3',
  };
}
