/**
 * Bounded retries with exponential backoff and full jitter (AWS's recommendation: the delay before retry
 * `n` is uniform in `[0, min(maxDelayMs, baseDelayMs * 2^n))`, which spreads a herd of throttled clients
 * instead of synchronising them).
 */

/** How often and how patiently `S3ObjectStore` retries a request whose failure it may retry. */
export interface RetryPolicy {
  /** Attempts per request, the first one included (≥ 1). Default 5. */
  maxAttempts: number;
  /** Upper bound of the first retry's delay in milliseconds. Default 50. */
  baseDelayMs: number;
  /** Upper bound of any retry's delay in milliseconds. Default 2,000. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 50,
  maxDelayMs: 2_000,
});

/** The delay before retry number `retry` (0 for the first retry), in milliseconds. */
export function backoffDelayMs(
  policy: RetryPolicy,
  retry: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(retry, 30));
  return Math.floor(random() * ceiling);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
