import type { Directory } from '@durability/core';

/** How a sweep gets a fresh, empty backend, and how it disposes of one (the same shape as the contract suite's). */
export interface BackendFactory {
  /** A new, empty directory. Sweeps call it once per reference build or fault case. */
  create: () => Directory | Promise<Directory>;
  /** Releases what `create` allocated (a temporary directory, a bucket). */
  destroy?: (dir: Directory) => void | Promise<void>;
}

/** One thing a sweep found wrong. `case` names the input precisely enough to reproduce it. */
export interface SweepViolation {
  readonly sweep: 'corruption' | 'fuzz' | 'fault';
  readonly case: string;
  readonly message: string;
}

/**
 * The soak multiplier: `CONFORMANCE_RUNS=<n>` (a positive integer) runs every sampled sweep exhaustively
 * and every fuzz decoder `n` times as many inputs. Unset, empty or invalid: 1 (the default run).
 */
export function conformanceRuns(): number {
  const raw = environment('CONFORMANCE_RUNS');
  if (raw === undefined || raw.trim() === '') return 1;
  const value = Number(raw);
  return Number.isSafeInteger(value) && value >= 1 ? value : 1;
}

/** `CONFORMANCE_SEED=<integer>` fixes the seed of every seeded choice (fuzz inputs, sampled flips); undefined when unset. */
export function conformanceSeed(): number | undefined {
  const raw = environment('CONFORMANCE_SEED');
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new RangeError(`CONFORMANCE_SEED must be an integer, got ${raw}`);
  return value | 0;
}

/** The seed a sweep uses: the explicit one, else `CONFORMANCE_SEED`, else a fresh one (printed with every failure). */
export function resolveSeed(explicit: number | undefined): number {
  if (explicit !== undefined) return explicit | 0;
  return conformanceSeed() ?? (Math.random() * 0x7fffffff) | 0;
}

function environment(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.[name];
}

/** Runs `body` on a fresh backend and always disposes of it. */
export async function withBackend<T>(
  factory: BackendFactory,
  body: (dir: Directory) => Promise<T>,
): Promise<T> {
  const dir = await factory.create();
  try {
    return await body(dir);
  } finally {
    await factory.destroy?.(dir);
  }
}
