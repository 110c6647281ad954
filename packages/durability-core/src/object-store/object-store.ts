/**
 * The object-store contract `ObjectStoreDirectory` is built on: the handful of S3 requests it needs, with
 * S3's semantics. An implementation (the in-process `SimObjectStore`, the S3 client in
 * `@durability/backend-s3`) does the I/O; this module and the directory over it do none.
 *
 * Semantics every implementation promises (S3 since December 2020):
 * - Strong read-after-write consistency: a GET, HEAD or LIST that starts after a PUT or DELETE resolved
 *   sees its effect.
 * - A PUT is atomic (readers see the whole old object or the whole new one) and, once it resolved,
 *   durable. A DELETE likewise.
 * - Conditional PUTs are atomic with respect to each other: of two PUTs with `ifNoneMatch: '*'` on one
 *   key, at most one succeeds.
 * - LIST returns keys in ascending byte (UTF-8) order, at most `maxKeys` per page.
 *
 * Failures are typed: `PreconditionFailedError` when a condition does not hold (HTTP 412, and 409 for a
 * conditional write that lost a race), `UnknownOutcomeError` when the request may or may not have been
 * applied (a timeout or a 5xx after the request was sent), `NotFoundError` for a GET/HEAD of a missing
 * key, `IoError` for everything else. Implementations retry what is safe to retry themselves; an
 * `UnknownOutcomeError` is what is left when they cannot know.
 */

/** What a PUT or HEAD tells about an object. */
export interface ObjectInfo {
  /** The entity tag, without quotes. Changes whenever the object's content changes. */
  etag: string;
  /** Content length in bytes. */
  size: number;
  /** User metadata (`x-amz-meta-*`), lower-case keys. */
  metadata: Readonly<Record<string, string>>;
}

export interface PutObjectOptions {
  /** `'*'`: create only; fails with `PreconditionFailedError` when the key exists. */
  ifNoneMatch?: '*';
  /** Replace only when the current ETag equals this one; fails with `PreconditionFailedError` otherwise (and when the key is missing). */
  ifMatch?: string;
  /** User metadata stored with the object (ASCII keys and values). */
  metadata?: Record<string, string>;
}

export interface GetObjectOptions {
  /**
   * Byte range to read: `[start, start + length)`, clipped at the end of the object. A range that starts
   * at or past the end, or has length 0, reads as an empty body (S3's 416 is not a failure here).
   * `start` and `length` are non-negative safe integers, else `RangeError`.
   */
  range?: { start: number; length: number };
}

export interface GetObjectResult extends ObjectInfo {
  /** The bytes read (the range, when one was given). `size` is still the whole object's length. */
  body: Uint8Array;
}

export interface ListObjectsOptions {
  /** Only keys starting with this prefix. */
  prefix?: string;
  /** Group keys by the first occurrence of this after the prefix (S3's `delimiter`), e.g. `'/'`. */
  delimiter?: string;
  /** Start after this key (exclusive), for pagination. */
  startAfter?: string;
  /** Opaque token from the previous page. */
  continuationToken?: string;
  /** At most this many keys plus common prefixes per page (S3: 1,000 at most). */
  maxKeys?: number;
}

export interface ListedObject {
  key: string;
  size: number;
  etag: string;
}

export interface ListObjectsResult {
  /** Keys in ascending byte order. */
  objects: ListedObject[];
  /** With a delimiter: the distinct prefixes that end in it, in ascending order. */
  commonPrefixes: string[];
  /** Present when there are more results: pass it as `continuationToken`. */
  nextContinuationToken?: string;
}

export interface ObjectStore {
  putObject(key: string, body: Uint8Array, options?: PutObjectOptions): Promise<ObjectInfo>;
  getObject(key: string, options?: GetObjectOptions): Promise<GetObjectResult>;
  headObject(key: string): Promise<ObjectInfo>;
  listObjects(options: ListObjectsOptions): Promise<ListObjectsResult>;
  /** Idempotent: deleting a missing key succeeds. */
  deleteObject(key: string): Promise<void>;
}
