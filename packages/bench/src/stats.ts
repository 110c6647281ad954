/** One measured quantity over repetitions: the median is reported, with the min–max spread. */
export interface Sample {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function summarize(values: readonly number[]): Sample {
  if (values.length === 0) throw new RangeError('no values to summarize');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, runs: sorted.length };
}

/** The `p`-quantile (0..1) of `values` by nearest rank. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) throw new RangeError('no values');
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank]!;
}

/**
 * Runs `once` `reps` times (sequentially) and summarizes the numbers it returns; with `warmups`, the first
 * that many runs are not recorded.
 */
export async function repeat(
  reps: number,
  once: (rep: number) => Promise<number> | number,
  warmups = 0,
): Promise<Sample> {
  return summarize((await roundRobin(reps, { once }, warmups)).once);
}

/** Records per second for `count` records in `ms` milliseconds. */
export function perSecond(count: number, ms: number): number {
  return (count / ms) * 1000;
}

/** Runs the timed part of a measurement: returns milliseconds. */
export async function timeMs(fn: () => Promise<void> | void): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/**
 * Runs several contenders round-robin, repetition by repetition, and collects what each returns (after
 * `warmups` unrecorded rounds): a slow drift of the machine or the disk during a section hits every
 * contender alike, instead of whichever happens to run last.
 */
export async function roundRobin<K extends string, T>(
  reps: number,
  contenders: Record<K, (rep: number) => Promise<T> | T>,
  warmups = 0,
): Promise<Record<K, T[]>> {
  const names = Object.keys(contenders) as K[];
  const results = Object.fromEntries(names.map((name) => [name, [] as T[]])) as Record<K, T[]>;
  for (let rep = 0; rep < warmups + reps; rep++) {
    for (const name of names) {
      const value = await contenders[name](rep);
      if (rep >= warmups) results[name].push(value);
    }
  }
  return results;
}

/** `roundRobin` of numeric measurements, each contender summarized. */
export async function interleaved<K extends string>(
  reps: number,
  contenders: Record<K, (rep: number) => Promise<number> | number>,
  warmups = 0,
): Promise<Record<K, Sample>> {
  const values = await roundRobin(reps, contenders, warmups);
  return mapValues(values, (sample) => summarize(sample));
}

/** A record with `fn` applied to every value (and its key). */
export function mapValues<K extends string, A, B>(
  record: Record<K, A>,
  fn: (value: A, key: K) => B,
): Record<K, B> {
  return Object.fromEntries(
    (Object.entries(record) as [K, A][]).map(([key, value]) => [key, fn(value, key)]),
  ) as Record<K, B>;
}
