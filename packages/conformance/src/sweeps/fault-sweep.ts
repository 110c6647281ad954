import type { Directory } from '@durability/core';
import {
  type CallRecord,
  canStrike,
  FAULT_KINDS,
  FaultInjectingDirectory,
  type FaultKind,
} from './fault/fault-directory.js';
import { judgeFaultCase } from './fault/fault-oracle.js';
import { runWorkload, WORKLOAD_NAMES, type WorkloadName } from './fault/workloads.js';
import {
  type BackendFactory,
  conformanceRuns,
  resolveSeed,
  type SweepViolation,
  withBackend,
} from './sweep-options.js';
import { describeError, seededRandom } from './values.js';

export type { FaultKind } from './fault/fault-directory.js';
export type { WorkloadName } from './fault/workloads.js';

export interface FaultSweepOptions extends BackendFactory {
  /** Workloads to run (default both). */
  workloads?: readonly WorkloadName[];
  /** Fault kinds to inject (default all four). */
  kinds?: readonly FaultKind[];
  /**
   * Cases to run: `'all'` (every call index × every kind that can strike it), or at most `n` of them
   * chosen by a seeded shuffle. Default: all when `CONFORMANCE_RUNS` > 1; otherwise cases in a seeded
   * order until all are done or `budgetMs` has passed, never fewer than `minCases`.
   */
  cases?: 'all' | number;
  /** Time box of the default run. Default 8 000 ms. */
  budgetMs?: number;
  /** Floor of the default run. Default 100. */
  minCases?: number;
  seed?: number;
  /**
   * A layer between the injected faults and core, as a product might put in front of its backend (a
   * cache, a retry wrapper). Default none. The kill set uses it to prove the sweep catches a layer that
   * swallows a failed sync.
   */
  layer?: (dir: Directory) => Directory;
  /** Violations kept in the result (all are counted). Default 50. */
  maxViolations?: number;
}

export interface WorkloadShape {
  /** Intercepted Directory calls in a fault-free run. */
  calls: number;
  /** WAL segment files created (W1 must rotate at least 4 times). */
  segmentsCreated: number;
  /** Completed publishes and the segments each truncated (W2). */
  publishes: { markerEntryId: number; deletedSegments: number }[];
  /** Cases: (call index, kind) pairs where the kind can strike the call. */
  cases: number;
}

export interface FaultSweepResult {
  seed: number;
  /** Cases run (each a fresh backend, a fault, a recovery). */
  cases: number;
  /** Cases that exist (all workloads × call indexes × kinds that apply). */
  casesTotal: number;
  byWorkload: Record<string, number>;
  byKind: Record<string, number>;
  /** Cases where the writer was poisoned (fail-stop observed); the rest hit calls outside the writer's I/O. */
  poisoned: number;
  /** Durable appends pending at a failure that were seen to reject with the same error. */
  pendingRejected: number;
  /** Planned faults that found a different call at their index (the workload is not deterministic on this backend). */
  notStruck: number;
  shapes: Partial<Record<WorkloadName, WorkloadShape>>;
  violations: SweepViolation[];
  violationCount: number;
  durationMs: number;
}

interface FaultCase {
  readonly workload: WorkloadName;
  readonly call: CallRecord;
  readonly kind: FaultKind;
}

/**
 * The I/O fault sweep: runs each workload once fault-free through a counting wrapper to list its
 * Directory calls, then, for every call index and every fault kind that can strike that call, runs it
 * again on a fresh backend with that one fault injected and judges fail-stop and recovery
 * (`fault/fault-oracle.ts`). A fault-free run that does not have the workload's shape (W1: at least 5
 * segments; W2: three publishes, each truncating) is itself a violation.
 */
export async function runFaultSweep(options: FaultSweepOptions): Promise<FaultSweepResult> {
  const started = Date.now();
  const seed = resolveSeed(options.seed);
  const kinds = options.kinds ?? FAULT_KINDS;
  const maxViolations = options.maxViolations ?? 50;
  const result: FaultSweepResult = {
    seed,
    cases: 0,
    casesTotal: 0,
    byWorkload: {},
    byKind: {},
    poisoned: 0,
    pendingRejected: 0,
    notStruck: 0,
    shapes: {},
    violations: [],
    violationCount: 0,
    durationMs: 0,
  };
  const record = (violation: SweepViolation) => {
    result.violationCount++;
    if (result.violations.length < maxViolations) result.violations.push(violation);
  };

  const all: FaultCase[] = [];
  for (const workload of options.workloads ?? WORKLOAD_NAMES) {
    const { shape, calls, problems } = await dryRun(options, workload, kinds);
    result.shapes[workload] = shape;
    for (const message of problems) record({ sweep: 'fault', case: `${workload} fault-free`, message });
    for (const call of calls)
      for (const kind of kinds) if (canStrike(kind, call)) all.push({ workload, call, kind });
  }
  result.casesTotal = all.length;

  const exhaustive = options.cases === 'all' || (options.cases === undefined && conformanceRuns() > 1);
  const order = exhaustive ? all : shuffle(all, seed);
  const fixed = typeof options.cases === 'number' ? Math.min(options.cases, order.length) : undefined;
  const floor = Math.min(options.minCases ?? 100, order.length);
  const deadline = Date.now() + (options.budgetMs ?? 8_000);
  for (const c of order) {
    if (fixed !== undefined && result.cases >= fixed) break;
    if (!exhaustive && fixed === undefined && result.cases >= floor && Date.now() > deadline) break;
    const name = `${c.workload}, ${c.kind} at call ${c.call.index} (${c.call.op} ${c.call.path})`;
    const problems = await withBackend(options, async (inner) => {
      const faults = new FaultInjectingDirectory(inner, { index: c.call.index, kind: c.kind });
      const run = await runWorkload(c.workload, options.layer ? options.layer(faults.dir) : faults.dir);
      if (faults.struck === undefined) {
        await run.wal?.close().catch(() => undefined);
        result.notStruck++;
        return [];
      }
      const verdict = await judgeFaultCase(c.workload, run, faults, inner);
      if (verdict.poisoned) result.poisoned++;
      result.pendingRejected += verdict.pendingRejected;
      return verdict.problems;
    }).catch((error: unknown) => [`the case itself failed: ${describeError(error)}`]);
    result.cases++;
    result.byWorkload[c.workload] = (result.byWorkload[c.workload] ?? 0) + 1;
    result.byKind[c.kind] = (result.byKind[c.kind] ?? 0) + 1;
    for (const message of problems) record({ sweep: 'fault', case: name, message });
  }
  result.durationMs = Date.now() - started;
  return result;
}

async function dryRun(
  factory: FaultSweepOptions,
  workload: WorkloadName,
  kinds: readonly FaultKind[],
): Promise<{ shape: WorkloadShape; calls: CallRecord[]; problems: string[] }> {
  return withBackend(factory, async (inner) => {
    const faults = new FaultInjectingDirectory(inner);
    const run = await runWorkload(workload, factory.layer ? factory.layer(faults.dir) : faults.dir);
    const problems: string[] = [];
    if (run.failure)
      problems.push(`${run.failure.step} failed without a fault: ${describeError(run.failure.error)}`);
    const segmentsCreated = faults.calls.filter(
      (c) => c.op === 'createFile' && c.path.startsWith('wal/wal_'),
    ).length;
    if (workload === 'W1' && segmentsCreated < 5)
      problems.push(`W1 created ${segmentsCreated} segments: fewer than 4 rotations`);
    if (
      workload === 'W2' &&
      (run.publishes.length !== 3 || run.publishes.some((p) => p.deletedSegments === 0))
    ) {
      problems.push(
        `W2 published ${run.publishes.length} times, truncating ${run.publishes.map((p) => p.deletedSegments).join('/')} segments`,
      );
    }
    const calls = faults.calls;
    const cases = calls.reduce((n, call) => n + kinds.filter((kind) => canStrike(kind, call)).length, 0);
    return {
      shape: { calls: calls.length, segmentsCreated, publishes: run.publishes, cases },
      calls,
      problems,
    };
  });
}

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
