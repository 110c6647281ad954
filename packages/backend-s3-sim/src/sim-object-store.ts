import {
  type GetObjectOptions,
  type GetObjectResult,
  IoError,
  type ListedObject,
  type ListObjectsOptions,
  type ListObjectsResult,
  NotFoundError,
  type ObjectInfo,
  type ObjectStore,
  PreconditionFailedError,
  type PutObjectOptions,
  UnknownOutcomeError,
} from '@durability/core';
import { compareUtf8, hasLoneSurrogate, lowerBound } from './key-order.js';
import { emptyStats, makeObject, SimBucket } from './sim-bucket.js';
import type {
  SimEffect,
  SimFaults,
  SimObject,
  SimObjectStoreOptions,
  SimOutcome,
  SimRequest,
  SimRequestKind,
  SimStats,
} from './sim-types.js';

const MAX_KEY_BYTES = 1024;
const MAX_LIST_KEYS = 1000;
const TOKEN_PREFIX = 'sim1:';
const encoder = new TextEncoder();

/** A frozen copy of a store's objects (bodies are shared: they are immutable). */
export interface SimSnapshot {
  readonly objects: ReadonlyMap<string, SimObject>;
}

/** What one request does once its latency has passed: its result, or a typed failure with its outcome. */
interface Work<T> {
  kind: SimRequestKind;
  key: string;
  mutating: boolean;
  conditional: boolean;
  bytes: number;
  metadata?: Readonly<Record<string, string>>;
  run(): { value: T; effect?: SimEffect; bytesOut?: number };
}

class RequestFailure extends Error {
  constructor(
    readonly outcome: SimOutcome,
    readonly error: Error,
  ) {
    super(error.message);
  }
}

/**
 * An in-process object store with Amazon S3's semantics, for tests and for measuring what a workload
 * costs. No AWS SDK, no network.
 *
 * Semantics (S3 since December 2020): strong read-after-write consistency (a request that starts after
 * another completed sees its effect); PUT and DELETE are atomic; ETags are the MD5 of the content (hex,
 * unquoted); `ifNoneMatch: '*'` on an existing key and `ifMatch` on a missing key or another ETag fail
 * with 412 → `PreconditionFailedError`; a conditional PUT that starts while another conditional PUT on the
 * same key is in flight loses with 409 → `PreconditionFailedError` (S3's ConditionalRequestConflict);
 * LIST returns keys in UTF-8 byte order, at most 1,000 per page, with opaque continuation tokens; ranged
 * GETs are clipped at the end of the object (a range starting at or past it reads as empty, as the
 * `ObjectStore` contract says).
 *
 * Faults (seeded, so a run replays exactly): latency; throttling (503 SlowDown as a typed `IoError`,
 * nothing applied — what a real client surfaces after its own retries, so callers need not retry again);
 * and indeterminate outcomes (a PUT or DELETE applied, or lost, with the caller told
 * `UnknownOutcomeError`). Counters (`stats`) count every attempt; `requestLog` records every request
 * with the effect it had, in the order effects were applied, so a test can rebuild the state after any
 * prefix of completed requests (`SimObjectStore.fromRequests`).
 */
export class SimObjectStore implements ObjectStore {
  private readonly bucket: SimBucket;
  /** The client name this view logs its requests under. */
  readonly clientName: string;

  constructor(options: SimObjectStoreOptions = {}) {
    this.bucket = new SimBucket(options.seed ?? 1, options, options.recordRequests ?? false);
    this.clientName = 'default';
  }

  /** A new store holding exactly the objects of `snapshot`. */
  static fromSnapshot(snapshot: SimSnapshot, options: SimObjectStoreOptions = {}): SimObjectStore {
    const store = new SimObjectStore(options);
    for (const [key, object] of snapshot.objects) store.bucket.apply({ type: 'put', key, object });
    return store;
  }

  /**
   * A new store holding the state after the effects of `requests` (a prefix of some store's
   * `requestLog`), applied in order over `base` (default: empty).
   */
  static fromRequests(
    requests: readonly SimRequest[],
    options: SimObjectStoreOptions & { base?: SimSnapshot } = {},
  ): SimObjectStore {
    const store = options.base
      ? SimObjectStore.fromSnapshot(options.base, options)
      : new SimObjectStore(options);
    store.applyLogged(requests);
    return store;
  }

  /**
   * Applies the effects of logged requests (from any store's `requestLog`) to this store's objects, in
   * order, as if they had just completed here: no counting, no faults, no log entry.
   */
  applyLogged(requests: readonly SimRequest[]): void {
    for (const entry of requests) if (entry.effect) this.bucket.apply(entry.effect);
  }

  /**
   * Another client of the same bucket: same objects, counters, log and faults; its requests are logged
   * under `name`. Two directories over two clients behave like two machines sharing the bucket.
   */
  client(name: string): SimObjectStore {
    const view = Object.create(SimObjectStore.prototype) as SimObjectStore;
    Object.assign(view, { bucket: this.bucket, clientName: name });
    return view;
  }

  /** Request and byte counters since creation or the last `resetStats()` (a copy). */
  get stats(): SimStats {
    const stats = this.bucket.stats;
    return { ...stats, requests: { ...stats.requests } };
  }

  resetStats(): void {
    this.bucket.stats = emptyStats();
  }

  /** Every request so far, in completion order (empty unless `recordRequests`). */
  get requestLog(): readonly SimRequest[] {
    return this.bucket.log;
  }

  clearRequestLog(): void {
    this.bucket.log.length = 0;
  }

  /** Changes fault injection from now on (only the fields given). */
  setFaults(faults: SimFaults): void {
    this.bucket.setFaults(faults);
  }

  /** The current objects, frozen (cheap: bodies are shared). */
  snapshot(): SimSnapshot {
    return Object.freeze({ objects: new Map(this.bucket.objects) });
  }

  /** An independent store with the same objects, fresh counters and log, and `options` for faults. */
  clone(options: SimObjectStoreOptions = {}): SimObjectStore {
    return SimObjectStore.fromSnapshot(this.snapshot(), options);
  }

  /** Every key, in byte order. */
  keys(): string[] {
    return [...this.bucket.sortedKeys];
  }

  get objectCount(): number {
    return this.bucket.objects.size;
  }

  /** Sum of all object sizes. */
  get storedBytes(): number {
    let total = 0;
    for (const object of this.bucket.objects.values()) total += object.body.length;
    return total;
  }

  // ── ObjectStore ─────────────────────────────────────────────────────────────────────────────────────

  putObject(key: string, body: Uint8Array, options: PutObjectOptions = {}): Promise<ObjectInfo> {
    const metadata = lowerCaseKeys(options.metadata ?? {});
    const conditional = options.ifNoneMatch !== undefined || options.ifMatch !== undefined;
    return this.perform<ObjectInfo>(() => {
      checkKey(key);
      if (!(body instanceof Uint8Array)) throw new TypeError('body must be a Uint8Array');
      if (options.ifNoneMatch !== undefined && options.ifNoneMatch !== '*') {
        throw new TypeError("ifNoneMatch must be '*'");
      }
      const stored = makeObject(body.slice(), metadata);
      return {
        kind: 'put',
        key,
        mutating: true,
        conditional,
        bytes: body.length,
        metadata,
        run: () => {
          const current = this.bucket.objects.get(key);
          if (options.ifNoneMatch === '*' && current) {
            throw new RequestFailure(
              'precondition-failed',
              new PreconditionFailedError('412 PreconditionFailed: If-None-Match: * and the key exists', {
                path: key,
              }),
            );
          }
          if (options.ifMatch !== undefined && current?.etag !== options.ifMatch) {
            throw new RequestFailure(
              'precondition-failed',
              new PreconditionFailedError(
                '412 PreconditionFailed: If-Match does not match the current ETag',
                {
                  path: key,
                  expected: options.ifMatch,
                  actual: current?.etag ?? 'missing',
                },
              ),
            );
          }
          return { value: info(stored), effect: { type: 'put', key, object: stored } };
        },
      };
    });
  }

  getObject(key: string, options: GetObjectOptions = {}): Promise<GetObjectResult> {
    return this.perform<GetObjectResult>(() => {
      checkKey(key);
      const range = options.range;
      if (range && (!isCount(range.start) || !isCount(range.length))) {
        throw new RangeError(`range must have a start ≥ 0 and a length ≥ 0, got ${JSON.stringify(range)}`);
      }
      return {
        kind: 'get',
        key,
        mutating: false,
        conditional: false,
        bytes: 0,
        run: () => {
          const object = this.existing(key);
          let body = object.body;
          if (range) {
            // Clipped at the end; a range at or past it (S3's 416) or of length 0 reads as empty.
            const start = Math.min(range.start, object.body.length);
            body = object.body.subarray(start, Math.min(object.body.length, start + range.length));
          }
          return { value: { ...info(object), body: body.slice() }, bytesOut: body.length };
        },
      };
    });
  }

  headObject(key: string): Promise<ObjectInfo> {
    return this.perform<ObjectInfo>(() => {
      checkKey(key);
      return {
        kind: 'head',
        key,
        mutating: false,
        conditional: false,
        bytes: 0,
        run: () => ({ value: info(this.existing(key)) }),
      };
    });
  }

  listObjects(options: ListObjectsOptions): Promise<ListObjectsResult> {
    return this.perform<ListObjectsResult>(() => {
      const prefix = options.prefix ?? '';
      const maxKeys = Math.min(options.maxKeys ?? MAX_LIST_KEYS, MAX_LIST_KEYS);
      if (!Number.isSafeInteger(maxKeys) || maxKeys < 0) {
        throw new RangeError(`maxKeys must be an integer ≥ 0, got ${options.maxKeys}`);
      }
      if (options.delimiter === '') throw new RangeError('delimiter must not be empty');
      const resume =
        options.continuationToken === undefined ? undefined : decodeToken(options.continuationToken);
      return {
        kind: 'list',
        key: prefix,
        mutating: false,
        conditional: false,
        bytes: 0,
        run: () => ({ value: this.listPage(prefix, options.delimiter, options.startAfter, resume, maxKeys) }),
      };
    });
  }

  deleteObject(key: string): Promise<void> {
    return this.perform<void>(() => {
      checkKey(key);
      return {
        kind: 'delete',
        key,
        mutating: true,
        conditional: false,
        bytes: 0,
        run: () => ({
          value: undefined,
          effect: this.bucket.objects.has(key) ? { type: 'delete', key } : undefined,
        }),
      };
    });
  }

  // ── the request pipeline ────────────────────────────────────────────────────────────────────────────

  /**
   * Validates (a bad argument rejects before anything is counted), draws this request's faults in start
   * order, waits its latency, then applies it. A conditional PUT registers its key as in flight for that
   * whole time; one that starts while the key is registered loses with 409.
   */
  private async perform<T>(prepare: () => Work<T>): Promise<T> {
    const work = prepare();
    const bucket = this.bucket;
    const seq = bucket.nextSeq++;
    const stats = bucket.stats;
    stats.requests[work.kind]++;
    stats.requests.total++;
    stats.bytesIn += work.bytes;
    const throttled = bucket.random.chance(bucket.faults.throttleProbability);
    const applied = bucket.random.chance(bucket.faults.unknownOutcomeProbability);
    const lost = bucket.random.chance(bucket.faults.lostRequestProbability);
    const conflict = work.conditional && bucket.conditionalInFlight.has(work.key);
    const registered = work.conditional && !conflict;
    if (registered) bucket.conditionalInFlight.add(work.key);
    const latency = bucket.drawLatency();
    let effect: SimEffect | undefined;
    let bytesOut = 0;
    let outcome: SimOutcome = 'ok';
    try {
      await (latency > 0 ? new Promise((resolve) => setTimeout(resolve, latency)) : Promise.resolve());
      if (throttled) {
        throw new RequestFailure(
          'throttled',
          new IoError('503 SlowDown: reduce your request rate (the client gave up retrying)', {
            path: work.key,
            errno: 'SlowDown',
          }),
        );
      }
      if (conflict) {
        throw new RequestFailure(
          'conflict',
          new PreconditionFailedError(
            '409 ConditionalRequestConflict: another conditional write on this key was in flight',
            { path: work.key },
          ),
        );
      }
      if (work.mutating && lost) {
        throw new RequestFailure(
          'unknown-lost',
          new UnknownOutcomeError('the request timed out; it may or may not have been applied', {
            path: work.key,
          }),
        );
      }
      const result = work.run();
      effect = result.effect;
      bytesOut = result.bytesOut ?? 0;
      if (effect) bucket.apply(effect);
      if (work.mutating && applied) {
        throw new RequestFailure(
          'unknown-applied',
          new UnknownOutcomeError('the request timed out; it may or may not have been applied', {
            path: work.key,
          }),
        );
      }
      return result.value;
    } catch (error) {
      if (!(error instanceof RequestFailure)) throw error;
      outcome = error.outcome;
      if (outcome === 'throttled') stats.throttled++;
      if (outcome === 'unknown-applied' || outcome === 'unknown-lost') stats.unknownOutcomes++;
      if (outcome === 'precondition-failed') stats.preconditionFailures++;
      if (outcome === 'conflict') stats.conflicts++;
      throw error.error;
    } finally {
      if (registered) bucket.conditionalInFlight.delete(work.key);
      stats.bytesOut += bytesOut;
      if (bucket.recordRequests) {
        bucket.log.push({
          seq,
          client: this.clientName,
          kind: work.kind,
          key: work.key,
          outcome,
          bytes: work.kind === 'get' ? bytesOut : work.bytes,
          conditional: work.conditional,
          ...(work.metadata ? { metadata: work.metadata } : {}),
          ...(effect ? { effect } : {}),
        });
      }
    }
  }

  private existing(key: string): SimObject {
    const object = this.bucket.objects.get(key);
    if (!object) {
      throw new RequestFailure('not-found', new NotFoundError('404 NoSuchKey', { path: key }));
    }
    return object;
  }

  private listPage(
    prefix: string,
    delimiter: string | undefined,
    startAfter: string | undefined,
    resume: { after: string; commonPrefix: boolean } | undefined,
    maxKeys: number,
  ): ListObjectsResult {
    const keys = this.bucket.sortedKeys;
    let index = lowerBound(keys, prefix);
    if (startAfter !== undefined) index = Math.max(index, this.bucket.indexAfter(startAfter));
    if (resume) index = Math.max(index, this.bucket.indexAfter(resume.after));
    const skipUnder = resume?.commonPrefix ? resume.after : undefined;
    const objects: ListedObject[] = [];
    const commonPrefixes: string[] = [];
    let last: { after: string; commonPrefix: boolean } | undefined;
    let truncated = false;
    for (; index < keys.length; index++) {
      const key = keys[index]!;
      if (!key.startsWith(prefix)) {
        if (compareUtf8(key, prefix) > 0) break;
        continue;
      }
      if (skipUnder !== undefined && key.startsWith(skipUnder)) continue;
      let common: string | undefined;
      if (delimiter !== undefined) {
        const at = key.indexOf(delimiter, prefix.length);
        if (at >= 0) common = key.slice(0, at + delimiter.length);
      }
      if (common !== undefined && common === last?.after && last.commonPrefix) continue;
      if (objects.length + commonPrefixes.length >= maxKeys) {
        truncated = true;
        break;
      }
      if (common !== undefined) {
        commonPrefixes.push(common);
        last = { after: common, commonPrefix: true };
      } else {
        const object = this.bucket.objects.get(key)!;
        objects.push({ key, size: object.body.length, etag: object.etag });
        last = { after: key, commonPrefix: false };
      }
    }
    return {
      objects,
      commonPrefixes,
      ...(truncated && last ? { nextContinuationToken: encodeToken(last) } : {}),
    };
  }
}

function info(object: SimObject): ObjectInfo {
  return { etag: object.etag, size: object.body.length, metadata: object.metadata };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function lowerCaseKeys(metadata: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') throw new TypeError(`metadata ${name} must be a string`);
    out[name.toLowerCase()] = value;
  }
  return out;
}

/** S3 refuses empty keys, keys that are not UTF-8, and keys over 1,024 bytes (400): an `IoError`. */
function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string') throw new TypeError('key must be a string');
  if (key === '' || hasLoneSurrogate(key) || encoder.encode(key).length > MAX_KEY_BYTES) {
    throw new IoError('400 InvalidKey: the key is empty, not UTF-8, or longer than 1,024 bytes', {
      path: key.slice(0, 200),
      errno: 'InvalidKey',
    });
  }
}

function encodeToken(position: { after: string; commonPrefix: boolean }): string {
  return (
    TOKEN_PREFIX +
    Buffer.from(JSON.stringify([position.after, position.commonPrefix]), 'utf8').toString('base64url')
  );
}

function decodeToken(token: string): { after: string; commonPrefix: boolean } {
  try {
    if (!token.startsWith(TOKEN_PREFIX)) throw new Error('foreign token');
    const value = JSON.parse(
      Buffer.from(token.slice(TOKEN_PREFIX.length), 'base64url').toString('utf8'),
    ) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'string' && typeof value[1] === 'boolean') {
      return { after: value[0], commonPrefix: value[1] };
    }
  } catch {
    // reported below
  }
  throw new IoError('400 InvalidArgument: the continuation token is not one this store issued', {
    actual: token.slice(0, 100),
    errno: 'InvalidArgument',
  });
}
