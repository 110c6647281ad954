export type { FileKey } from './key-layout.js';
export { FILE_MARK, KeyLayout, MAX_KEY_BYTES, NUMBER_DIGITS } from './key-layout.js';
export type {
  GetObjectOptions,
  GetObjectResult,
  ListedObject,
  ListObjectsOptions,
  ListObjectsResult,
  ObjectInfo,
  ObjectStore,
  PutObjectOptions,
} from './object-store.js';
export type { ObjectStoreDirectoryOptions } from './object-store-directory.js';
export { DEFAULT_MAX_PART_BYTES, ObjectStoreDirectory } from './object-store-directory.js';
export { KIND_METADATA, WRITER_METADATA } from './store-requests.js';
