/** Request kinds the simulator counts and logs (S3's PutObject, GetObject, HeadObject, ListObjectsV2, DeleteObject). */
export type SimRequestKind = 'put' | 'get' | 'head' | 'list' | 'delete';

/** How a request ended, as the caller saw it. */
export type SimOutcome =
  | 'ok'
  /** 404: GET/HEAD of a missing key. */
  | 'not-found'
  /** 412: `If-None-Match: *` on an existing key, `If-Match` on a missing key or another ETag. */
  | 'precondition-failed'
  /** 409: a conditional PUT on a key while another conditional PUT on it was in flight (this one lost). */
  | 'conflict'
  /** 503 SlowDown after the client's own retries: not applied. */
  | 'throttled'
  /** Applied, but the caller got `UnknownOutcomeError` (a timeout after the request reached the store). */
  | 'unknown-applied'
  /** Not applied, and the caller got `UnknownOutcomeError` (the request was lost on the way). */
  | 'unknown-lost'
  /**
   * 400: a key or continuation token S3 refuses. Not produced today: the simulator refuses these before
   * the request is counted or logged. A range at or past the end is not a failure (an empty body).
   */
  | 'invalid';

/** An object as stored. Bodies are never mutated after they are stored. */
export interface SimObject {
  readonly body: Uint8Array;
  /** MD5 of the body, lower-case hex, unquoted. */
  readonly etag: string;
  readonly metadata: Readonly<Record<string, string>>;
}

/** The state change a request made, in the order the store applied it. */
export type SimEffect =
  | { readonly type: 'put'; readonly key: string; readonly object: SimObject }
  | { readonly type: 'delete'; readonly key: string };

/** One entry of the request log (`recordRequests: true`), appended when the request completes. */
export interface SimRequest {
  /** Start order, from 1 (a request started earlier may complete later). */
  readonly seq: number;
  /** The client view that sent it (`store.client(name)`); `'default'` for the store itself. */
  readonly client: string;
  readonly kind: SimRequestKind;
  /** The key, or for LIST the prefix. */
  readonly key: string;
  readonly outcome: SimOutcome;
  /** Bytes sent (PUT body) or received (GET body). */
  readonly bytes: number;
  /** `If-None-Match: *` or `If-Match` was set. */
  readonly conditional: boolean;
  /** The PUT's user metadata (lower-case keys). */
  readonly metadata?: Readonly<Record<string, string>>;
  /** What it changed, when it changed anything (`ok` or `unknown-applied` PUT/DELETE). */
  readonly effect?: SimEffect;
}

/** Request and byte counters (`store.stats`). Every attempt counts, failed ones included, as S3 bills them. */
export interface SimStats {
  requests: Record<SimRequestKind, number> & { total: number };
  /** PUT body bytes sent. */
  bytesIn: number;
  /** GET body bytes returned. */
  bytesOut: number;
  throttled: number;
  unknownOutcomes: number;
  preconditionFailures: number;
  conflicts: number;
}

/** Fault injection, all seeded. Probabilities are per request, in [0, 1]. */
export interface SimFaults {
  /** Delay before each request takes effect: a fixed number of ms, or uniform in `[min, max]`. Default 0. */
  latencyMs?: number | { min: number; max: number };
  /** A request fails with a retryable `IoError` (503 SlowDown) and changes nothing. */
  throttleProbability?: number;
  /** A PUT or DELETE is applied, then the caller gets `UnknownOutcomeError`. */
  unknownOutcomeProbability?: number;
  /** A PUT or DELETE is not applied, and the caller gets `UnknownOutcomeError`. */
  lostRequestProbability?: number;
}

export interface SimObjectStoreOptions extends SimFaults {
  /** Seed of every random draw (faults and latencies). Default 1. */
  seed?: number;
  /** Keep `requestLog` (every request, with the effect of each mutation). Default false. */
  recordRequests?: boolean;
}
