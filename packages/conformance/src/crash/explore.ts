import type { Directory } from '@durability/core';
import {
  type CrashModel,
  type CrashState,
  fsPowerStates,
  fsRandomState,
  objectStoreStepStates,
  processStates,
} from './crash-states.js';
import { type CrashPoint, crashPoints } from './file-model.js';
import { type CrashImplementation, resolveImplementation } from './implementation.js';
import { materialise, stateKey } from './materialise.js';
import { describeOp } from './micro-ops.js';
import { checkState, type OracleInput, showError } from './oracle.js';
import { below, deriveSeed, prng } from './prng.js';
import { Recording, RecordingDirectory } from './recording-directory.js';
import { type CrashWorkload, WORKLOADS, type WorkloadName, type WorkloadRun } from './workloads.js';

export interface ExploreCrashesOptions {
  /** A new, empty backend instance (called for the recording run and for every state checked). */
  create: () => Directory | Promise<Directory>;
  /** Releases what `create` (or `reopen`) allocated. */
  destroy?: (dir: Directory) => Promise<void>;
  /**
   * Optional: a new instance holding what survives a crash of the process using `dir`, taken at the
   * moment of the call (later calls on `dir` must not change it). When given, the workload is also run on
   * the real backend and stopped at every crash point, between calls and inside one, and what `reopen`
   * returns must pass the same oracle: this is what catches a backend that lies (a `sync` that does
   * nothing, a non-atomic `rename`).
   */
  reopen?: (dir: Directory) => Directory | Promise<Directory>;
  crashModel: CrashModel;
  workload: WorkloadName | CrashWorkload;
  /** Default `DEFAULT_SEED`. The same seed gives the same workload, states and random images. */
  seed?: number;
  /** Substitute parts of core (a broken writer or publisher) to prove the explorer catches them. */
  implementation?: Partial<CrashImplementation>;
  /** Random power-loss images per sync interval (`fs` only). Default 8. */
  randomImagesPerInterval?: number;
  /**
   * At most this many distinct model states are checked per workload: every essential state
   * (`CrashState.essential`), then a seeded sample of the rest. Default `Infinity`.
   */
  maxStates?: number;
  /** States whose `resume` repaired something that also get their repair crash-explored. Default 2. */
  repairSamples?: number;
  /** Check only this crash point (reproducing a failure). */
  onlyCrashPoint?: number;
  /**
   * With `reopen`: how many crash points of the live backend to check (each twice: between calls and
   * inside one), spread evenly over the workload. Default 8; `Infinity` for every point.
   */
  reopenPoints?: number;
  /** Stop after this many violations. Default 10. */
  maxViolations?: number;
}

/** One broken promise, with what is needed to reproduce it. */
export interface CrashViolation {
  readonly workload: WorkloadName;
  readonly seed: number;
  /** Micro-operations completed before the crash. */
  readonly crashPoint: number;
  /** The micro-operation the crash prevented or interrupted. */
  readonly interrupted: string;
  /** How the post-crash state arose (model state, torn variant, random image, reopen). */
  readonly state: string;
  readonly problem: string;
  /** Environment that re-runs exactly this crash point. */
  readonly reproduce: string;
}

export interface ExploreCrashesResult {
  readonly workload: WorkloadName;
  readonly crashModel: CrashModel;
  readonly seed: number;
  /** Micro-operations the workload performed (crash points = this + 1). */
  readonly microOps: number;
  /** States the model generated, before de-duplication. */
  readonly statesGenerated: number;
  /** Distinct model states (after de-duplication, before the `maxStates` budget). */
  readonly statesDistinct: number;
  /** Distinct states materialised and checked (including states inside repairs and reopen checks). */
  readonly statesChecked: number;
  /** Of those: states inside a `resume` repair. */
  readonly repairStatesChecked: number;
  /** Of those: crashes of the real backend observed through `reopen`. */
  readonly reopenStatesChecked: number;
  readonly violations: CrashViolation[];
}

/** The default seed; override with `CONFORMANCE_SEED`. */
export const DEFAULT_SEED = 0x5eed;

interface Context {
  readonly options: ExploreCrashesOptions;
  readonly workload: CrashWorkload;
  readonly impl: CrashImplementation;
  readonly seed: number;
  readonly violations: CrashViolation[];
  readonly seen: Set<string>;
  readonly resumeClasses: Set<string>;
  checked: number;
  generated: number;
  distinct: number;
  repairChecked: number;
  reopenChecked: number;
  repairsLeft: number;
}

/**
 * Runs one workload through a recording wrapper, derives every post-crash state its crash model allows
 * at every crash point, materialises each into a fresh instance from `create`, and checks the oracle
 * (oracle.ts). Returns counts and violations; never throws for a violation.
 */
export async function exploreCrashes(options: ExploreCrashesOptions): Promise<ExploreCrashesResult> {
  const workload = typeof options.workload === 'string' ? WORKLOADS[options.workload] : options.workload;
  const seed = options.seed ?? DEFAULT_SEED;
  const ctx: Context = {
    options,
    workload,
    impl: resolveImplementation(options.implementation),
    seed,
    violations: [],
    seen: new Set(),
    resumeClasses: new Set(),
    checked: 0,
    generated: 0,
    distinct: 0,
    repairChecked: 0,
    reopenChecked: 0,
    repairsLeft: options.repairSamples ?? 2,
  };
  const recording = new Recording();
  let run: WorkloadRun;
  const live = await options.create();
  try {
    run = await workload.run(new RecordingDirectory(live, recording), recording, ctx.impl, seed);
  } catch (error) {
    report(ctx, 0, undefined, 'the workload on a live backend', `the workload failed: ${showError(error)}`);
    return result(ctx, 0);
  } finally {
    await options.destroy?.(live);
  }
  const points = crashPoints(recording);
  const selected = selectStates(ctx, points);
  for (const { point, state } of selected) {
    if (full(ctx)) break;
    await checkModelState(ctx, run, point, state);
  }
  if (options.reopen) await exploreReopen(ctx, recording.ops.length);
  return result(ctx, recording.ops.length);
}

interface Candidate {
  readonly point: CrashPoint;
  readonly state: CrashState;
  readonly required: number;
}

/**
 * Every state the model allows at every crash point (plus seeded random images per sync interval),
 * de-duplicated by content and requirement, then cut to the budget: essential states first, a seeded
 * sample of the rest. Returned in crash-point order.
 */
function selectStates(ctx: Context, points: readonly CrashPoint[]): Candidate[] {
  const { options, seed } = ctx;
  const candidates = new Map<string, Candidate>();
  const add = (point: CrashPoint, state: CrashState): void => {
    ctx.generated++;
    if (options.onlyCrashPoint !== undefined && options.onlyCrashPoint !== point.index) return;
    const required = state.kind === 'power' ? point.ackDurable : point.ackFlushed;
    const key = `${required}|${point.exact?.entries ?? ''}|${state.garbage}|${stateKey(state)}`;
    const known = candidates.get(key);
    if (!known || (state.essential && !known.state.essential))
      candidates.set(key, { point, state, required });
  };
  const random = prng(deriveSeed(seed, `${ctx.workload.name}:random-images`));
  const perInterval = options.crashModel === 'fs' ? (options.randomImagesPerInterval ?? 8) : 0;
  let intervalStart = 0;
  for (const point of points) {
    for (const state of modelStates(point, options.crashModel, seed)) add(point, state);
    const barrier = point.next === undefined || point.next.op === 'fsync' || point.next.op === 'dirsync';
    if (barrier && perInterval > 0) {
      const interval = points.slice(intervalStart, point.index + 1);
      for (let i = 0; i < perInterval; i++) {
        const at = interval[below(random, interval.length)]!;
        add(at, fsRandomState(at, random));
      }
      intervalStart = point.index + 1;
    }
  }
  const all = [...candidates.values()];
  ctx.distinct = all.length;
  const budget = options.maxStates ?? Number.POSITIVE_INFINITY;
  if (all.length <= budget) return all;
  const essential = all.filter((c) => c.state.essential);
  const rest = all.filter((c) => !c.state.essential);
  const sample = prng(deriveSeed(seed, `${ctx.workload.name}:sample`));
  for (let i = rest.length - 1; i > 0; i--) {
    const j = below(sample, i + 1);
    [rest[i], rest[j]] = [rest[j]!, rest[i]!];
  }
  const kept = [...essential, ...rest.slice(0, Math.max(0, budget - essential.length))];
  return kept.sort((a, b) => a.point.index - b.point.index);
}

function modelStates(point: CrashPoint, model: CrashModel, seed: number): CrashState[] {
  const states = processStates(point);
  if (model === 'fs') states.push(...fsPowerStates(point, deriveSeed(seed, `torn:${point.index}`)));
  if (model === 'objectStore') states.push(...objectStoreStepStates(point));
  return states;
}

function full(ctx: Context): boolean {
  return ctx.violations.length >= (ctx.options.maxViolations ?? 10);
}

function result(ctx: Context, microOps: number): ExploreCrashesResult {
  return {
    workload: ctx.workload.name,
    crashModel: ctx.options.crashModel,
    seed: ctx.seed,
    microOps,
    statesGenerated: ctx.generated,
    statesDistinct: ctx.distinct,
    statesChecked: ctx.checked,
    repairStatesChecked: ctx.repairChecked,
    reopenStatesChecked: ctx.reopenChecked,
    violations: ctx.violations.sort((a, b) => a.crashPoint - b.crashPoint || a.state.length - b.state.length),
  };
}

function report(
  ctx: Context,
  crashPoint: number,
  interrupted: string | undefined,
  state: string,
  problem: string,
): void {
  ctx.violations.push({
    workload: ctx.workload.name,
    seed: ctx.seed,
    crashPoint,
    interrupted: interrupted ?? '(end of workload)',
    state,
    problem,
    reproduce: `CONFORMANCE_SEED=${ctx.seed} CONFORMANCE_CRASH_POINT=${ctx.workload.name}:${crashPoint}`,
  });
}

/** Materialises `state` into a fresh instance and runs `body` on it. */
async function withState<T>(
  ctx: Context,
  state: CrashState,
  body: (dir: Directory) => Promise<T>,
): Promise<T> {
  const dir = await ctx.options.create();
  try {
    await materialise(dir, state);
    return await body(dir);
  } finally {
    await ctx.options.destroy?.(dir);
  }
}

async function checkModelState(
  ctx: Context,
  run: WorkloadRun,
  point: CrashPoint,
  state: CrashState,
): Promise<void> {
  const required = state.kind === 'power' ? point.ackDurable : point.ackFlushed;
  ctx.checked++;
  const input: OracleInput = {
    workload: ctx.workload,
    run,
    impl: ctx.impl,
    required,
    exact: point.exact,
    garbage: state.garbage,
    files: state.files,
    resumeClasses: ctx.resumeClasses,
  };
  const interrupted = point.next ? describeOp(point.next) : undefined;
  const verdict = await withState(ctx, state, (dir) => checkState(dir, input));
  if (verdict.problem) {
    report(ctx, point.index, interrupted, state.label, verdict.problem);
    return;
  }
  if (verdict.repaired && verdict.entries !== undefined && ctx.repairsLeft > 0) {
    ctx.repairsLeft--;
    await exploreRepair(ctx, run, point, state, verdict.entries);
  }
}

/**
 * Records `resume` repairing `state`, then checks every crash point of that repair: the states must
 * replay exactly the `entries` the state held before the repair began.
 */
async function exploreRepair(
  ctx: Context,
  run: WorkloadRun,
  point: CrashPoint,
  state: CrashState,
  entries: number,
): Promise<void> {
  const recording = new Recording(state.files);
  try {
    await withState(ctx, state, async (dir) => {
      const writer = await ctx.impl.resumeWriter(
        new RecordingDirectory(dir, recording),
        ctx.workload.writerOptions,
      );
      await writer.close();
    });
  } catch (error) {
    report(
      ctx,
      point.index,
      undefined,
      state.label,
      `resume failed while its repair was recorded: ${showError(error)}`,
    );
    return;
  }
  const what = `repair of (${state.label})`;
  for (const repairPoint of crashPoints(recording)) {
    const states = modelStates(repairPoint, ctx.options.crashModel, ctx.seed);
    for (const inner of states) {
      if (full(ctx)) return;
      ctx.generated++;
      const key = `repair|${entries}|${stateKey(inner)}`;
      if (ctx.seen.has(key) || inner.garbage) continue;
      ctx.seen.add(key);
      ctx.checked++;
      ctx.repairChecked++;
      const verdict = await withState(ctx, inner, (dir) =>
        checkState(dir, {
          workload: ctx.workload,
          run,
          impl: ctx.impl,
          required: entries,
          exact: { entries, what },
          garbage: false,
          replayOnly: true,
        }),
      );
      if (verdict.problem) {
        const during = repairPoint.next ? describeOp(repairPoint.next) : 'the end of the repair';
        report(
          ctx,
          point.index,
          undefined,
          `${state.label}; then a crash during its repair before ${during}: ${inner.label}`,
          verdict.problem,
        );
      }
    }
  }
}

/**
 * Runs the workload on the real backend, stopping it at every crash point (between calls, and inside
 * the call that would complete the next micro-operation), and checks what `reopen` returns.
 */
async function exploreReopen(ctx: Context, microOps: number): Promise<void> {
  const { options } = ctx;
  const budget = Math.min(microOps + 1, options.reopenPoints ?? 8);
  const chosen = new Set<number>();
  for (let i = 0; i < budget; i++) chosen.add(Math.round((i * microOps) / Math.max(1, budget - 1)));
  for (let at = 0; at <= microOps; at++) {
    if (options.onlyCrashPoint !== undefined ? options.onlyCrashPoint !== at : !chosen.has(at)) continue;
    for (const inflight of at < microOps ? [false, true] : [false]) {
      if (full(ctx)) return;
      const recording = new Recording(new Map(), { at, inflight });
      const dir = await options.create();
      let reopened: Directory | undefined;
      try {
        const run = await ctx.workload.run(
          new RecordingDirectory(dir, recording),
          recording,
          ctx.impl,
          ctx.seed,
        );
        recording.crashed = true;
        reopened = await options.reopen!(dir);
        await recording.settled();
        ctx.reopenChecked++;
        ctx.checked++;
        let required = 0;
        for (const ack of recording.acks) {
          if (options.crashModel !== 'fs' || ack.level === 'durable')
            required = Math.max(required, ack.entryId);
        }
        // inside a repair; an in-flight call right after it is outside
        const done = recording.ops.length;
        const window = recording.windows.find((w) => w.toOps > done || (w.toOps === done && !inflight));
        const verdict = await checkState(reopened, {
          workload: ctx.workload,
          run,
          impl: ctx.impl,
          required,
          exact: window ? { entries: window.entries, what: window.what } : undefined,
          garbage: false,
        });
        if (verdict.problem) {
          const state = `the backend's own state after a crash ${inflight ? 'inside' : 'before'} the call making micro-op ${at + 1}, read through reopen()`;
          report(ctx, at, undefined, state, verdict.problem);
        }
      } catch (error) {
        report(ctx, at, undefined, 'reopen()', `crashing the live backend failed: ${showError(error)}`);
      } finally {
        await recording.settled();
        if (reopened && reopened !== dir) await options.destroy?.(reopened);
        await options.destroy?.(dir);
      }
    }
  }
}
