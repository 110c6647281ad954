import type { Directory } from '@durability/core';
import { describe, expect, it } from 'vitest';
import type { CrashModel } from './crash-states.js';
import { DEFAULT_SEED, type ExploreCrashesResult, exploreCrashes } from './explore.js';
import { WORKLOAD_NAMES, WORKLOADS, type WorkloadName } from './workloads.js';

export interface CrashSuiteOptions {
  create: () => Directory | Promise<Directory>;
  destroy?: (dir: Directory) => Promise<void>;
  /** See `ExploreCrashesOptions.reopen`. */
  reopen?: (dir: Directory) => Directory | Promise<Directory>;
  crashModel: CrashModel;
}

/**
 * Environment knobs (read when the suite is collected):
 * - `CONFORMANCE_SEED=n`: the seed (default `DEFAULT_SEED`); a failure prints the one it used.
 * - `CONFORMANCE_CRASH_POINT=W1:17`: only that workload and crash point (reproduce a failure).
 * - `CONFORMANCE_RUNS=n`: soak: n seeds (seed, seed+1, …), n× the state budget, the random images
 *   and the repair samples, and every crash point of the live backend through `reopen`.
 */
interface SuiteEnvironment {
  seed: number;
  runs: number;
  only: { workload: WorkloadName; crashPoint: number } | undefined;
}

function environment(): SuiteEnvironment {
  const env = typeof process === 'undefined' ? {} : process.env;
  const integer = (name: string, fallback: number, min: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < min)
      throw new RangeError(`${name} must be an integer ≥ ${min}, got ${raw}`);
    return value;
  };
  const point = env.CONFORMANCE_CRASH_POINT;
  let only: SuiteEnvironment['only'];
  if (point) {
    const match = /^(W[123]):(\d+)$/.exec(point);
    if (!match) throw new RangeError(`CONFORMANCE_CRASH_POINT must look like W1:17, got ${point}`);
    only = { workload: match[1] as WorkloadName, crashPoint: Number(match[2]) };
  }
  return {
    seed: integer('CONFORMANCE_SEED', DEFAULT_SEED, 0),
    runs: integer('CONFORMANCE_RUNS', 1, 1),
    only,
  };
}

/** Distinct model states checked per workload in a default run (fs states are many and cost real I/O). */
const DEFAULT_STATE_BUDGET: Record<CrashModel, number> = {
  fs: 350,
  objectStore: Number.POSITIVE_INFINITY,
  memory: Number.POSITIVE_INFINITY,
};

/** A failure message: the minimal violation in full, how to reproduce it, and a few others. */
export function formatViolations(result: ExploreCrashesResult): string {
  const [first, ...others] = result.violations;
  if (!first) return 'no violations';
  const lines = [
    `${result.violations.length} crash-state violation(s) in ${result.workload} (${result.crashModel} model, seed ${result.seed}).`,
    `Minimal case: a crash after ${first.crashPoint} micro-operations (next: ${first.interrupted})`,
    `  state:   ${first.state}`,
    `  problem: ${first.problem}`,
    `Reproduce: ${first.reproduce} npx vitest run <this test file>`,
  ];
  for (const other of others.slice(0, 4))
    lines.push(`  also at crash point ${other.crashPoint}: ${other.problem} [${other.state}]`);
  return lines.join('\n');
}

/**
 * Registers the crash-state suite (vitest): W1, W2 and W3 explored under the backend's crash model.
 * A backend whose capabilities say `durableSync: false` gets the `memory` model whatever it declares; one
 * that declares `fs` without `durableSync` fails.
 */
export function describeCrashSuite(name: string, options: CrashSuiteOptions): void {
  const env = environment();
  describe(`${name}: crash states`, async () => {
    const probe = await options.create();
    const durable = probe.capabilities.durableSync;
    await options.destroy?.(probe);
    const model: CrashModel = durable ? options.crashModel : 'memory';
    const results: ExploreCrashesResult[] = [];

    it.runIf(options.crashModel === 'fs')(
      'a backend declaring the fs crash model promises durableSync',
      () => {
        expect(durable, 'crashModel "fs" needs capabilities.durableSync: true').toBe(true);
      },
    );

    for (const workload of WORKLOAD_NAMES) {
      if (env.only && env.only.workload !== workload) continue;
      it(`${workload} (${WORKLOADS[workload].summary}): every ${model}-model crash state recovers`, async () => {
        for (let run = 0; run < env.runs; run++) {
          const result = await exploreCrashes({
            ...options,
            crashModel: model,
            workload,
            seed: env.seed + run,
            maxStates: DEFAULT_STATE_BUDGET[model] * env.runs,
            randomImagesPerInterval: 8 * env.runs,
            repairSamples: 2 * env.runs,
            reopenPoints: env.runs > 1 ? Number.POSITIVE_INFINITY : 8,
            onlyCrashPoint: env.only?.crashPoint,
          });
          results.push(result);
          if (result.violations.length > 0) expect.fail(formatViolations(result));
          expect(result.statesChecked, 'the explorer checked no state').toBeGreaterThan(0);
        }
      }, 600_000);
    }

    it('reports the crash states checked', () => {
      const lines = results.map(
        (r) =>
          `  ${r.workload} seed ${r.seed}: ${r.microOps} micro-ops, ${r.statesGenerated} states generated, ${r.statesDistinct} distinct, ${r.statesChecked} checked (${r.repairStatesChecked} inside repairs, ${r.reopenStatesChecked} through reopen)`,
      );
      const total = results.reduce((sum, r) => sum + r.statesChecked, 0);
      console.info(
        `[conformance] ${name} (${model} model): crash states checked: ${total}\n${lines.join('\n')}`,
      );
      expect(results.length).toBeGreaterThan(0);
    });
  });
}
