import { describe, expect, it } from 'vitest';
import {
  type CorruptionSweepOptions,
  type CorruptionSweepResult,
  runCorruptionSweep,
} from './corruption-sweep.js';
import { type DecoderFuzzOptions, type DecoderFuzzResult, runDecoderFuzz } from './decoder-fuzz.js';
import { type FaultSweepOptions, type FaultSweepResult, runFaultSweep } from './fault-sweep.js';
import { type BackendFactory, conformanceRuns, type SweepViolation } from './sweep-options.js';

/** Options of `describeSweeps`: the backend factory, and per sweep its options or `false` to leave it out. */
export interface SweepSuiteOptions extends BackendFactory {
  corruption?: Omit<CorruptionSweepOptions, keyof BackendFactory> | false;
  /**
   * The decoder fuzz does not touch the backend (it reads in-memory images); a project that registers
   * several backends may pass `false` to all but one.
   */
  fuzz?: DecoderFuzzOptions | false;
  faults?: Omit<FaultSweepOptions, keyof BackendFactory> | false;
}

/** Per-test timeout: generous for the time-boxed default run, scaled for soak runs. */
const timeout = () => 180_000 * conformanceRuns();

/**
 * Registers the sweeps (vitest) for one backend: the corruption sweep, the decoder fuzz and the I/O
 * fault sweep. Each test fails with every violation found, the seed, and how to reproduce it
 * (`CONFORMANCE_SEED=<seed>`), and records its counts as a test annotation.
 *
 * ```ts
 * import { describeSweeps } from '@durability/conformance';
 * describeSweeps('my-backend', { create: () => new MyDirectory(), destroy: (dir) => dir.dispose() });
 * ```
 */
export function describeSweeps(name: string, options: SweepSuiteOptions): void {
  const factory: BackendFactory = { create: options.create, destroy: options.destroy };
  describe(`${name}: sweeps`, () => {
    it.runIf(options.corruption !== false)(
      'corruption sweep: every single-bit flip of a 3-segment WAL and of a checkpoint gives the same data or a typed error, never different data',
      async ({ annotate, task }) => {
        const result = await runCorruptionSweep({ ...factory, ...(options.corruption || {}) });
        await report(annotate, task, corruptionSummary(result));
        expect(
          result.violations,
          failure('corruption sweep', result.seed, result.violationCount, result.violations),
        ).toEqual([]);
        expect(result.flips.checkpoint, 'every checkpoint flip is checked').toBe(result.sizes.checkpoint * 8);
      },
      timeout(),
    );
    it.runIf(options.fuzz !== false)(
      'decoder fuzz: WAL frames, segment headers, record logs, checkpoints and whole WAL directories only ever throw typed errors, with reads bounded by the caps',
      async ({ annotate, task }) => {
        const result = await runDecoderFuzz(options.fuzz || {});
        await report(annotate, task, fuzzSummary(result));
        expect(
          result.violations,
          failure('decoder fuzz', result.seed, result.violations.length, result.violations),
        ).toEqual([]);
      },
      timeout(),
    );
    it.runIf(options.faults !== false)(
      'I/O fault sweep: EIO, ENOSPC, short writes and failed syncs at every call of W1 and W2: the writer fails stop and resume loses nothing acknowledged',
      async ({ annotate, task }) => {
        const result = await runFaultSweep({ ...factory, ...(options.faults || {}) });
        await report(annotate, task, faultSummary(result));
        expect(result.cases, 'fault cases run').toBeGreaterThan(0);
        expect(
          result.violations,
          failure('fault sweep', result.seed, result.violationCount, result.violations),
        ).toEqual([]);
      },
      timeout(),
    );
  });
}

/**
 * Publishes a sweep's counts: as a test annotation (shown by reporters) and in `task.meta.conformance`
 * (kept by the JSON reporter, for tools that sum the counts of a run).
 */
async function report(
  annotate: (message: string) => Promise<unknown>,
  task: { meta: object },
  summary: string,
): Promise<void> {
  (task.meta as { conformance?: string }).conformance = summary;
  await annotate(summary);
}

function failure(sweep: string, seed: number, count: number, violations: readonly SweepViolation[]): string {
  const lines = violations.slice(0, 20).map((v) => `  - ${v.case}: ${v.message}`);
  return [
    `${sweep}: ${count} violation(s); seed ${seed} (reproduce with CONFORMANCE_SEED=${seed})`,
    ...lines,
    count > lines.length ? `  … ${count - lines.length} more` : '',
  ].join('\n');
}

/** One line with the corruption sweep's counts. */
export function corruptionSummary(r: CorruptionSweepResult): string {
  return (
    `corruption sweep (seed ${r.seed}): ${r.flips.wal}/${r.flips.walTotal} WAL flips (each strict and best-effort), ` +
    `${r.flips.checkpoint} checkpoint flips; best-effort same data ${r.bestEffort.sameData}, dropped torn frame ` +
    `${r.bestEffort.droppedTail}; CorruptionError ${r.corruptionErrors}, FormatError ` +
    `${r.strict.formatErrors + r.bestEffort.formatErrors + r.checkpoint.formatErrors}, strict TornTailError ` +
    `${r.strict.tornTailErrors}; silent acceptances ${r.silentAcceptances.length}; violations ${r.violationCount}; ${r.durationMs} ms`
  );
}

/** One line with the decoder fuzz's counts. */
export function fuzzSummary(r: DecoderFuzzResult): string {
  const parts = r.decoders.map((d) => `${d.name} ${d.inputs} inputs (${d.durationMs} ms)`);
  return `decoder fuzz (seed ${r.seed}): ${parts.join(', ')}; violations ${r.violations.length}`;
}

/** One line with the fault sweep's counts. */
export function faultSummary(r: FaultSweepResult): string {
  const kinds = Object.entries(r.byKind)
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const workloads = Object.entries(r.byWorkload)
    .map(([w, n]) => `${w} ${n}`)
    .join(', ');
  return (
    `fault sweep (seed ${r.seed}): ${r.cases}/${r.casesTotal} cases (${workloads}; ${kinds}); ` +
    `writer poisoned in ${r.poisoned}, pending durable appends rejected ${r.pendingRejected}; ` +
    `not struck ${r.notStruck}; violations ${r.violationCount}; ${r.durationMs} ms`
  );
}
