/**
 * What a failed S3 request tells us, reduced to the one question that matters for retrying and for the
 * `ObjectStore` contract: was the request applied, not applied, or may it have been applied?
 */

/**
 * - `precondition`: the condition did not hold, nothing was written (412; 409 ConditionalRequestConflict,
 *   a conditional write that lost a race on AWS).
 * - `not-found`: 404 (NoSuchKey, or HEAD's body-less NotFound).
 * - `range`: 416, the range starts at or after the end of the object.
 * - `rejected`: refused before it could take effect, safe to repeat (503 SlowDown and other throttling,
 *   429, the connection was never established, S3's 400 RequestTimeout for a body that arrived too
 *   slowly).
 * - `ambiguous`: sent, and it may or may not have taken effect (any other 5xx, a reset connection, a
 *   timeout while waiting for the answer).
 * - `fatal`: will fail the same way when repeated (403, 400, NoSuchBucket, ...).
 */
export type FailureKind = 'precondition' | 'not-found' | 'range' | 'rejected' | 'ambiguous' | 'fatal';

export interface Failure {
  kind: FailureKind;
  /** HTTP status, when a response arrived. */
  status: number | undefined;
  /** S3 error code (`SlowDown`, `NoSuchKey`) or Node error code (`ECONNRESET`), when known. */
  code: string | undefined;
  cause: unknown;
}

/** Node errors raised before any byte of the request reached a server. */
const NOT_SENT_ERRNOS = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

const THROTTLING_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestLimitExceeded',
  'TooManyRequests',
]);

export function classifyFailure(error: unknown): Failure {
  const shaped = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: unknown;
    code?: unknown;
    Code?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  const status =
    typeof shaped.$metadata?.httpStatusCode === 'number' ? shaped.$metadata.httpStatusCode : undefined;
  const s3Code =
    typeof shaped.Code === 'string' ? shaped.Code : typeof shaped.name === 'string' ? shaped.name : undefined;
  const make = (kind: FailureKind, code = s3Code): Failure => ({ kind, status, code, cause: error });

  if (status === undefined) {
    // No HTTP response: a network error, a timeout, or our own per-attempt abort.
    const errno = typeof shaped.code === 'string' ? shaped.code : undefined;
    if (errno !== undefined && NOT_SENT_ERRNOS.has(errno)) return make('rejected', errno);
    return make('ambiguous', errno ?? s3Code);
  }
  if (status === 412) return make('precondition');
  if (status === 409 && s3Code === 'ConditionalRequestConflict') return make('precondition');
  if (status === 404 && s3Code !== 'NoSuchBucket') return make('not-found');
  if (status === 416) return make('range');
  if (status === 429 || (s3Code !== undefined && THROTTLING_CODES.has(s3Code))) return make('rejected');
  if (status === 400 && s3Code === 'RequestTimeout') return make('rejected');
  if (status >= 500) return make('ambiguous');
  return make('fatal');
}
