import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import {
  EncodeError,
  type GetObjectOptions,
  type GetObjectResult,
  InvalidConfigError,
  InvalidPathError,
  IoError,
  type ListObjectsOptions,
  type ListObjectsResult,
  NotFoundError,
  type ObjectInfo,
  type ObjectStore,
  PreconditionFailedError,
  type PutObjectOptions,
  UnknownOutcomeError,
} from '@durability/core';
import { classifyFailure, type Failure } from './classify.js';
import { unquoteEtag } from './etag.js';
import { backoffDelayMs, DEFAULT_RETRY_POLICY, type RetryPolicy, sleep } from './retry.js';

/** How to reach the bucket. Either `client` or the connection fields (`endpoint`, `region`, `credentials`). */
export interface S3ObjectStoreOptions {
  /** The bucket every key lives in. It must exist. */
  bucket: string;
  /**
   * Prepended to every key (e.g. `'wal/app-1/'`), so several stores can share one bucket. Keys given to
   * and returned by this store never include it.
   */
  keyPrefix?: string;
  /**
   * An existing client. It must be built with `maxAttempts: 1`: this store decides itself which failures
   * it may retry (an SDK retry of a conditional PUT after a 5xx would turn "I won" into a 412). A client
   * with SDK retries is refused with `InvalidConfigError` on its first request.
   */
  client?: S3Client;
  /** E.g. `'http://127.0.0.1:7480'` for a local Ceph RGW. Omit for AWS S3. */
  endpoint?: string;
  /** AWS region; any value works for RGW. Default `'us-east-1'`. */
  region?: string;
  /** Static credentials. Omit to use the SDK's default provider chain (env, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Path-style URLs (`endpoint/bucket/key`), needed by RGW, MinIO and most non-AWS servers. Default `true` when `endpoint` is set. */
  forcePathStyle?: boolean;
  /** Retry policy for failures that are safe to retry. See the README. */
  retry?: Partial<RetryPolicy>;
  /**
   * Deadline of one attempt, response body included, in milliseconds (default 30,000). A request that
   * misses it is aborted; on a conditional PUT that is an `UnknownOutcomeError`.
   */
  attemptTimeoutMs?: number;
}

/** S3 keys are at most 1,024 bytes of UTF-8. */
const MAX_KEY_BYTES = 1024;
/** S3 returns at most 1,000 keys per LIST page. */
const MAX_KEYS_PER_PAGE = 1000;
/** Header-safe metadata: visible ASCII and space (anything else breaks the SigV4 signature or the header). */
const METADATA_KEY = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;
const METADATA_VALUE = /^[\x20-\x7e]*$/;

const utf8 = new TextEncoder();

/** Which requests may be repeated, and what an exhausted or ambiguous failure means for each. */
type RequestKind = 'read' | 'idempotent-write' | 'conditional-write';

/**
 * An `ObjectStore` on the AWS SDK v3 S3 client: AWS S3, Ceph RGW, or any S3-compatible server that
 * honours conditional PUTs.
 *
 * Retry policy (the SDK's own retries are off: `maxAttempts: 1`):
 * - GET, HEAD, LIST, DELETE and unconditional PUT are idempotent: a throttled (503 SlowDown, 429), 5xx,
 *   timed-out or reset request is retried with exponential backoff and full jitter, at most
 *   `retry.maxAttempts` attempts. Then reads fail with `IoError`; writes with `UnknownOutcomeError` when an
 *   attempt may have been applied, `IoError` when none was.
 * - A conditional PUT (`ifNoneMatch` / `ifMatch`) is retried only when it certainly was not applied
 *   (throttled, connection refused). Any other 5xx, a timeout or a reset connection is an
 *   `UnknownOutcomeError` at once: a repeat could fail with 412 against its own first write, so only the
 *   caller, by reading the object back, can tell whether it won.
 *
 * Quirks handled: ETags are returned and `If-Match` is sent without quotes (RGW matches only that form);
 * `If-Match` on a missing key is `PreconditionFailedError` whether the server says 412 (RGW) or 404 (AWS);
 * 409 ConditionalRequestConflict (AWS, a racing conditional write) is `PreconditionFailedError`.
 */
export class S3ObjectStore implements ObjectStore {
  readonly bucket: string;
  readonly keyPrefix: string;
  private readonly client: S3Client;
  private readonly retry: RetryPolicy;
  private readonly attemptTimeoutMs: number;
  /** Resolves once a caller-supplied client has been checked for SDK retries (see `options.client`). */
  private clientCheck: Promise<void> | undefined;
  /** Whether this store built the client (and so may destroy it). */
  private readonly ownsClient: boolean;

  constructor(options: S3ObjectStoreOptions) {
    if (typeof options.bucket !== 'string' || options.bucket.length === 0) {
      throw new InvalidConfigError('S3ObjectStore needs a bucket name');
    }
    this.bucket = options.bucket;
    this.keyPrefix = options.keyPrefix ?? '';
    this.retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    if (!Number.isInteger(this.retry.maxAttempts) || this.retry.maxAttempts < 1) {
      throw new InvalidConfigError('retry.maxAttempts must be an integer ≥ 1', {
        actual: this.retry.maxAttempts,
      });
    }
    if (!(this.retry.baseDelayMs >= 0) || !(this.retry.maxDelayMs >= 0)) {
      throw new InvalidConfigError('retry delays must be ≥ 0');
    }
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 30_000;
    if (!(this.attemptTimeoutMs > 0)) {
      throw new InvalidConfigError('attemptTimeoutMs must be > 0', { actual: this.attemptTimeoutMs });
    }
    this.ownsClient = options.client === undefined;
    if (options.client !== undefined) {
      this.client = options.client;
    } else {
      this.client = new S3Client({
        region: options.region ?? 'us-east-1',
        ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
        ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
        forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
        // This store owns retries (see the class comment); an SDK retry of a conditional PUT is unsafe.
        maxAttempts: 1,
        // Checksums only where S3 requires them: RGW 16 predates the flexible-checksum headers, and the
        // objects this library writes carry their own CRCs.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      this.clientCheck = Promise.resolve();
    }
  }

  async putObject(key: string, body: Uint8Array, options: PutObjectOptions = {}): Promise<ObjectInfo> {
    const fullKey = this.fullKey(key);
    const metadata = normaliseMetadata(key, options.metadata);
    if (options.ifNoneMatch !== undefined && options.ifNoneMatch !== '*') {
      throw new InvalidConfigError("ifNoneMatch must be '*'", { path: key, actual: options.ifNoneMatch });
    }
    if (options.ifNoneMatch !== undefined && options.ifMatch !== undefined) {
      throw new InvalidConfigError('ifNoneMatch and ifMatch cannot be combined', { path: key });
    }
    const conditional = options.ifNoneMatch !== undefined || options.ifMatch !== undefined;
    const result = await this.send(
      key,
      conditional ? 'conditional-write' : 'idempotent-write',
      'PUT',
      (signal) =>
        this.client.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: fullKey,
            Body: body,
            ContentLength: body.length,
            Metadata: metadata,
            ...(options.ifNoneMatch === undefined ? {} : { IfNoneMatch: '*' }),
            ...(options.ifMatch === undefined ? {} : { IfMatch: unquoteEtag(options.ifMatch) }),
          }),
          { abortSignal: signal },
        ),
    );
    return { etag: requireEtag(key, result.ETag), size: body.length, metadata };
  }

  async getObject(key: string, options: GetObjectOptions = {}): Promise<GetObjectResult> {
    const fullKey = this.fullKey(key);
    const range = options.range;
    if (range !== undefined) {
      if (
        !Number.isSafeInteger(range.start) ||
        range.start < 0 ||
        !Number.isSafeInteger(range.length) ||
        range.length < 0
      ) {
        throw new RangeError(
          `range must be non-negative integers, got start ${range.start} length ${range.length}`,
        );
      }
      // An empty range has no `Range:` header form; its answer is the object's info and no bytes.
      if (range.length === 0) return { ...(await this.headObject(key)), body: new Uint8Array(0) };
    }
    for (;;) {
      try {
        return await this.send(key, 'read', 'GET', async (signal) => {
          const response = await this.client.send(
            new GetObjectCommand({
              Bucket: this.bucket,
              Key: fullKey,
              ...(range === undefined
                ? {}
                : { Range: `bytes=${range.start}-${range.start + range.length - 1}` }),
            }),
            { abortSignal: signal },
          );
          const body =
            response.Body === undefined ? new Uint8Array(0) : await response.Body.transformToByteArray();
          if (response.ContentLength !== undefined && body.length !== response.ContentLength) {
            // A body cut short is a transport failure; the retry loop repeats the GET.
            throw Object.assign(
              new Error(`GET body ended after ${body.length} of ${response.ContentLength} bytes`),
              {
                code: 'ETRUNCATED',
              },
            );
          }
          return {
            etag: requireEtag(key, response.ETag),
            size:
              range === undefined
                ? body.length
                : totalSizeFromContentRange(key, response.ContentRange, body.length),
            metadata: { ...response.Metadata },
            body,
          };
        });
      } catch (error) {
        // 416: the range starts at or after the end. The contract clips: answer the info and no bytes, unless
        // the object grew in between (then the GET is simply repeated).
        if (range !== undefined && error instanceof RangeNotSatisfiable) {
          const info = await this.headObject(key);
          if (range.start >= info.size) return { ...info, body: new Uint8Array(0) };
          continue;
        }
        throw error;
      }
    }
  }

  async headObject(key: string): Promise<ObjectInfo> {
    const fullKey = this.fullKey(key);
    const response = await this.send(key, 'read', 'HEAD', (signal) =>
      this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: fullKey }), { abortSignal: signal }),
    );
    return {
      etag: requireEtag(key, response.ETag),
      size: response.ContentLength ?? 0,
      metadata: { ...response.Metadata },
    };
  }

  async listObjects(options: ListObjectsOptions): Promise<ListObjectsResult> {
    const maxKeys = options.maxKeys ?? MAX_KEYS_PER_PAGE;
    if (!Number.isInteger(maxKeys) || maxKeys < 1 || maxKeys > MAX_KEYS_PER_PAGE) {
      throw new RangeError(`maxKeys must be an integer in 1..${MAX_KEYS_PER_PAGE}, got ${maxKeys}`);
    }
    const prefix = this.keyPrefix + (options.prefix ?? '');
    // StartAfter is exclusive and combines with Prefix (S3 lists keys > StartAfter that start with Prefix).
    const startAfter = options.startAfter === undefined ? undefined : this.keyPrefix + options.startAfter;
    const response = await this.send(options.prefix ?? '', 'read', 'LIST', (signal) =>
      this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix === '' ? undefined : prefix,
          Delimiter: options.delimiter === '' ? undefined : options.delimiter,
          StartAfter: startAfter,
          ContinuationToken: options.continuationToken,
          MaxKeys: maxKeys,
        }),
        { abortSignal: signal },
      ),
    );
    const objects = (response.Contents ?? []).map((object) => {
      const key = this.stripPrefix(object.Key);
      return { key, size: object.Size ?? 0, etag: requireEtag(key, object.ETag) };
    });
    const commonPrefixes = (response.CommonPrefixes ?? []).map((entry) => this.stripPrefix(entry.Prefix));
    const result: ListObjectsResult = { objects, commonPrefixes };
    if (response.IsTruncated === true) {
      if (response.NextContinuationToken === undefined || response.NextContinuationToken === '') {
        throw new IoError('LIST page is truncated but carries no continuation token', {
          path: options.prefix ?? '',
        });
      }
      result.nextContinuationToken = response.NextContinuationToken;
    }
    return result;
  }

  async deleteObject(key: string): Promise<void> {
    const fullKey = this.fullKey(key);
    await this.send(key, 'idempotent-write', 'DELETE', (signal) =>
      this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: fullKey }), {
        abortSignal: signal,
      }),
    );
  }

  /**
   * Closes the connections of the client this store built (a client passed in `options.client` is the
   * caller's to destroy). Requests after this fail.
   */
  destroy(): void {
    if (this.ownsClient) this.client.destroy();
  }

  /**
   * Runs one request under the retry policy and maps its final failure to the contract's typed errors
   * (`path` is the caller's key, without `keyPrefix`).
   */
  private async send<T>(
    key: string,
    kind: RequestKind,
    verb: string,
    attempt: (signal: AbortSignal) => Promise<T>,
  ): Promise<T> {
    await this.checkClient();
    let mayHaveApplied = false;
    let last: Failure | undefined;
    for (let attemptNo = 0; attemptNo < this.retry.maxAttempts; attemptNo++) {
      if (attemptNo > 0) await sleep(backoffDelayMs(this.retry, attemptNo - 1));
      try {
        return await attempt(AbortSignal.timeout(this.attemptTimeoutMs));
      } catch (error) {
        const failure = classifyFailure(error);
        last = failure;
        const detail = describeFailure(verb, failure);
        switch (failure.kind) {
          case 'precondition':
            if (kind === 'conditional-write') {
              throw new PreconditionFailedError(`${detail}: the condition did not hold`, {
                path: key,
                cause: error,
              });
            }
            throw new IoError(detail, { path: key, cause: error });
          case 'not-found':
            // AWS answers If-Match on a missing key with 404 NoSuchKey (RGW with 412): the condition failed.
            if (kind === 'conditional-write') {
              throw new PreconditionFailedError(`${detail}: the key does not exist`, {
                path: key,
                cause: error,
              });
            }
            if (kind === 'read')
              throw new NotFoundError(`${detail}: no such key`, { path: key, cause: error });
            throw new IoError(detail, { path: key, cause: error });
          case 'range':
            if (verb === 'GET') throw new RangeNotSatisfiable();
            throw new IoError(detail, { path: key, cause: error });
          case 'fatal':
            throw new IoError(detail, { path: key, cause: error });
          case 'rejected':
            continue;
          case 'ambiguous':
            if (kind === 'conditional-write') {
              throw new UnknownOutcomeError(
                `${detail}: the conditional write may or may not have been applied`,
                {
                  path: key,
                  cause: error,
                },
              );
            }
            if (kind === 'idempotent-write') mayHaveApplied = true;
            continue;
        }
      }
    }
    const detail = `${describeFailure(verb, last as Failure)} (gave up after ${this.retry.maxAttempts} attempts)`;
    if (mayHaveApplied)
      throw new UnknownOutcomeError(`${detail}: the write may or may not have been applied`, {
        path: key,
        cause: last?.cause,
      });
    throw new IoError(detail, { path: key, cause: last?.cause });
  }

  private checkClient(): Promise<void> {
    this.clientCheck ??= (async () => {
      const attempts = await this.client.config.maxAttempts();
      if (attempts !== 1) {
        throw new InvalidConfigError(
          'S3ObjectStore needs an S3Client built with maxAttempts: 1 (it retries itself; SDK retries of conditional PUTs are unsafe)',
          { expected: 1, actual: attempts },
        );
      }
    })();
    return this.clientCheck;
  }

  private fullKey(key: string): string {
    if (typeof key !== 'string' || key.length === 0) {
      throw new InvalidPathError('object key must be a non-empty string', { path: String(key) });
    }
    const full = this.keyPrefix + key;
    const bytes = utf8.encode(full).length;
    if (bytes > MAX_KEY_BYTES) {
      throw new InvalidPathError(`object key is ${bytes} bytes with its prefix; S3 allows ${MAX_KEY_BYTES}`, {
        path: key,
        expected: MAX_KEY_BYTES,
        actual: bytes,
      });
    }
    return full;
  }

  private stripPrefix(fullKey: string | undefined): string {
    if (fullKey === undefined || !fullKey.startsWith(this.keyPrefix)) {
      throw new IoError('LIST returned a key outside the requested prefix', {
        path: fullKey ?? '',
        expected: this.keyPrefix,
      });
    }
    return fullKey.slice(this.keyPrefix.length);
  }
}

/** Internal signal from `send` to `getObject`: the GET got 416. */
class RangeNotSatisfiable extends Error {}

function describeFailure(verb: string, failure: Failure): string {
  const parts = [failure.status === undefined ? 'no response' : `HTTP ${failure.status}`];
  if (failure.code !== undefined) parts.push(failure.code);
  return `S3 ${verb} failed (${parts.join(' ')})`;
}

function requireEtag(key: string, etag: string | undefined): string {
  if (etag === undefined || etag === '') throw new IoError('S3 response carries no ETag', { path: key });
  return unquoteEtag(etag);
}

/** `bytes 0-9/42` → 42. */
function totalSizeFromContentRange(
  key: string,
  contentRange: string | undefined,
  bodyLength: number,
): number {
  const match = /^bytes \d+-\d+\/(\d+)$/.exec(contentRange ?? '');
  if (match === null) {
    // A server may answer a range covering the whole object with 200 and no Content-Range.
    if (contentRange === undefined) return bodyLength;
    throw new IoError('unparseable Content-Range in ranged GET', { path: key, actual: contentRange });
  }
  return Number(match[1]);
}

/** Lower-cases keys (S3 returns them lower-cased) and refuses what cannot travel in an HTTP header. */
function normaliseMetadata(
  key: string,
  metadata: Record<string, string> | undefined,
): Record<string, string> {
  const out: Record<string, string> = {};
  if (metadata === undefined) return out;
  for (const [name, value] of Object.entries(metadata)) {
    if (!METADATA_KEY.test(name) || typeof value !== 'string' || !METADATA_VALUE.test(value)) {
      throw new EncodeError('object metadata must be ASCII header tokens with printable ASCII values', {
        path: key,
        actual: name,
      });
    }
    out[name.toLowerCase()] = value;
  }
  return out;
}
