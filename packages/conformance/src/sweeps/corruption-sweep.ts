import { type Directory, TornTailError } from '@durability/core';
import {
  type AcceptedKind,
  firstMismatch,
  judgeBestEffort,
  judgeCheckpoint,
  judgeStrict,
  type Outcome,
  outcomeOf,
  type Verdict,
  type WalFlipSite,
} from './flip-oracle.js';
import { type ReaderImplementation, type ReplayedEntry, readers } from './implementation.js';
import { buildReference, putFile, type ReferenceWal, type SegmentImage } from './reference-wal.js';
import {
  type BackendFactory,
  conformanceRuns,
  resolveSeed,
  type SweepViolation,
  withBackend,
} from './sweep-options.js';
import { describeError, sameValue, seededRandom } from './values.js';
import { flipBit } from './wal-image.js';

export interface CorruptionSweepOptions extends BackendFactory {
  /** Readers to judge instead of core's (a kill-set test substitutes a broken one). */
  implementation?: Partial<ReaderImplementation>;
  /**
   * WAL flips to check: `'all'`, or the first `n` of a seeded permutation of every flip. Default: all
   * when `CONFORMANCE_RUNS` > 1; otherwise the permutation in order until every flip is done or
   * `walBudgetMs` has passed, and never fewer than `minWalFlips`.
   */
  walFlips?: 'all' | number;
  /** Time box for the default WAL sample. Default 6 000 ms. */
  walBudgetMs?: number;
  /** Floor of the default WAL sample. Default 1 024. */
  minWalFlips?: number;
  /** Seed of the WAL sample's permutation; default `CONFORMANCE_SEED`, else random (reported). */
  seed?: number;
  /** Violations kept in the result (all are counted). Default 50. */
  maxViolations?: number;
}

export interface OutcomeCounts {
  /** Replays or reads judged. */
  judged: number;
  sameData: number;
  droppedTail: number;
  corruptionErrors: number;
  formatErrors: number;
  tornTailErrors: number;
  violations: number;
}

export interface CorruptionSweepResult {
  seed: number;
  flips: {
    /** WAL flips checked (each replayed strict and best-effort). */
    wal: number;
    /** Every single-bit flip of the WAL images: three clean segments plus the torn final segment. */
    walTotal: number;
    /** Checkpoint flips checked: always all of them. */
    checkpoint: number;
  };
  /** Bytes of each image, for the report. */
  sizes: { segments: number[]; tornFinalSegment: number; checkpoint: number };
  strict: OutcomeCounts;
  bestEffort: OutcomeCounts;
  checkpoint: OutcomeCounts;
  /** Best-effort replays that returned exactly the reference (the flip lay in the torn tail). */
  sameData: number;
  /** `CorruptionError`s across strict, best-effort and checkpoint reads. */
  corruptionErrors: number;
  /** Data other than the reference returned without an error (must be empty). */
  silentAcceptances: SweepViolation[];
  /** Every violation kept (silent acceptances included), up to `maxViolations`. */
  violations: SweepViolation[];
  /** All violations found, kept or not. */
  violationCount: number;
  durationMs: number;
}

interface FlipTarget {
  readonly variant: 'clean' | 'torn';
  readonly segment: number;
  readonly offset: number;
  readonly bit: number;
}

/**
 * The corruption sweep (FORMAT.md "no single-bit flip is silent"): writes a reference WAL and checkpoint
 * on the backend, then for single-bit flips of every byte writes the damaged file back through the
 * Directory API and reads it with the readers under test. Each result must be the reference data (flip
 * in a torn tail), a prefix dropping the damaged final frame, or a prescribed typed error; see
 * `flip-oracle.ts`. The unflipped images are checked first (the baseline); if they do not read back
 * exactly, no flip is judged and the baseline failures are the violations.
 */
export async function runCorruptionSweep(options: CorruptionSweepOptions): Promise<CorruptionSweepResult> {
  const started = Date.now();
  const seed = resolveSeed(options.seed);
  const impl = readers(options.implementation);
  const maxViolations = options.maxViolations ?? 50;
  return withBackend(options, async (dir) => {
    const reference = await buildReference(dir);
    const result = emptyResult(seed, reference);
    const record = (v: SweepViolation, silent: boolean) => {
      result.violationCount++;
      if (result.violations.length < maxViolations) result.violations.push(v);
      if (silent && result.silentAcceptances.length < maxViolations) result.silentAcceptances.push(v);
    };
    const files = new BackendFiles(dir);
    const baseline = await checkBaseline(files, reference, impl);
    for (const message of baseline) record({ sweep: 'corruption', case: 'baseline', message }, false);
    if (baseline.length === 0) {
      await sweepWal(files, reference, impl, options, result, record);
      await sweepCheckpoint(files, reference, impl, result, record);
    }
    result.sameData = result.bestEffort.sameData;
    result.corruptionErrors =
      result.strict.corruptionErrors +
      result.bestEffort.corruptionErrors +
      result.checkpoint.corruptionErrors;
    result.durationMs = Date.now() - started;
    return result;
  });
}

/** What is on the backend, so a file is rewritten only when it must change. */
class BackendFiles {
  private readonly current = new Map<string, Uint8Array>();
  constructor(readonly dir: Directory) {}

  async put(path: string, bytes: Uint8Array): Promise<void> {
    if (this.current.get(path) === bytes) return;
    await putFile(this.dir, path, bytes);
    this.current.set(path, bytes);
  }
}

async function checkBaseline(
  files: BackendFiles,
  reference: ReferenceWal,
  impl: ReaderImplementation,
): Promise<string[]> {
  const problems = reference.readBackMismatches.map(
    (path) => `${path}: the backend read back other bytes than were written`,
  );
  for (const image of reference.clean) await files.put(image.path, image.bytes);
  for (const mode of ['strict', 'best-effort'] as const) {
    const outcome = await outcomeOf(() => impl.replay(files.dir, mode));
    const problem = exactly(outcome, reference.entries);
    if (problem) problems.push(`clean reference WAL, ${mode} replay: ${problem}`);
  }
  await files.put(reference.tornFinal.path, reference.tornFinal.bytes);
  const strict = await outcomeOf(() => impl.replay(files.dir, 'strict'));
  if (strict.ok || !TornTailError.is(strict.error)) {
    problems.push(
      `reference WAL with a torn tail, strict replay: expected TornTailError, got ${show(strict)}`,
    );
  }
  const problem = exactly(await outcomeOf(() => impl.replay(files.dir, 'best-effort')), reference.entries);
  if (problem) problems.push(`reference WAL with a torn tail, best-effort replay: ${problem}`);
  await files.put(reference.tornFinal.path, reference.clean[2]!.bytes);
  const checkpoint = await outcomeOf(() => impl.readCheckpoint(files.dir, reference.checkpoint.path));
  if (!checkpoint.ok) {
    problems.push(`reference checkpoint: threw ${describeError(checkpoint.error)}`);
  } else if (
    checkpoint.value.lastAppliedId !== reference.checkpoint.lastAppliedId ||
    !sameValue(checkpoint.value.state, reference.checkpoint.state)
  ) {
    problems.push('reference checkpoint: read back a different state or lastAppliedId');
  }
  return problems;
}

function exactly(
  outcome: Outcome<readonly ReplayedEntry[]>,
  entries: readonly unknown[],
): string | undefined {
  if (!outcome.ok) return `threw ${describeError(outcome.error)}`;
  const mismatch = firstMismatch(outcome.value, entries);
  if (mismatch) return mismatch;
  if (outcome.value.length !== entries.length)
    return `returned ${outcome.value.length} of ${entries.length} entries`;
  return undefined;
}

function show(outcome: Outcome<unknown>): string {
  return outcome.ok ? 'data' : describeError(outcome.error);
}

async function sweepWal(
  files: BackendFiles,
  reference: ReferenceWal,
  impl: ReaderImplementation,
  options: CorruptionSweepOptions,
  result: CorruptionSweepResult,
  record: (v: SweepViolation, silent: boolean) => void,
): Promise<void> {
  const targets = allWalTargets(reference);
  const exhaustive = options.walFlips === 'all' || (options.walFlips === undefined && conformanceRuns() > 1);
  const order = exhaustive ? targets : permute(targets, result.seed);
  const fixed = typeof options.walFlips === 'number' ? Math.min(options.walFlips, order.length) : undefined;
  const floor = Math.min(options.minWalFlips ?? 1024, order.length);
  const deadline = Date.now() + (options.walBudgetMs ?? 6_000);
  for (const target of order) {
    if (fixed !== undefined && result.flips.wal >= fixed) break;
    if (!exhaustive && fixed === undefined && result.flips.wal >= floor && Date.now() > deadline) break;
    await judgeWalFlip(files, reference, impl, target, result, record);
    result.flips.wal++;
  }
  for (const image of reference.clean) await files.put(image.path, image.bytes);
}

async function judgeWalFlip(
  files: BackendFiles,
  reference: ReferenceWal,
  impl: ReaderImplementation,
  target: FlipTarget,
  result: CorruptionSweepResult,
  record: (v: SweepViolation, silent: boolean) => void,
): Promise<void> {
  const images = imagesOf(reference, target.variant);
  const image = images[target.segment]!;
  for (const other of images) if (other !== image) await files.put(other.path, other.bytes);
  await files.put(image.path, flipBit(image.bytes, target.offset, target.bit));
  const inFinalSegment = target.segment === images.length - 1;
  const site: WalFlipSite = {
    offset: target.offset,
    inFinalSegment,
    frames: image.frames,
    tornTailStart: inFinalSegment && target.variant === 'torn' ? reference.tornTailStart : undefined,
  };
  const name = `${target.variant} WAL, ${image.path} byte ${target.offset} bit ${target.bit}`;
  const bestEffort = judgeBestEffort(
    site,
    await outcomeOf(() => impl.replay(files.dir, 'best-effort')),
    reference.entries,
  );
  tally(result.bestEffort, bestEffort, `${name}, best-effort`, record);
  const strict = judgeStrict(
    site,
    await outcomeOf(() => impl.replay(files.dir, 'strict')),
    reference.entries,
    bestEffort,
  );
  tally(result.strict, strict, `${name}, strict`, record);
}

async function sweepCheckpoint(
  files: BackendFiles,
  reference: ReferenceWal,
  impl: ReaderImplementation,
  result: CorruptionSweepResult,
  record: (v: SweepViolation, silent: boolean) => void,
): Promise<void> {
  const { path, bytes } = reference.checkpoint;
  for (let offset = 0; offset < bytes.length; offset++) {
    for (let bit = 0; bit < 8; bit++) {
      await files.put(path, flipBit(bytes, offset, bit));
      const outcome = await outcomeOf(() => impl.readCheckpoint(files.dir, path));
      tally(
        result.checkpoint,
        judgeCheckpoint(offset, outcome, reference.checkpoint),
        `${path} byte ${offset} bit ${bit}`,
        record,
      );
      result.flips.checkpoint++;
    }
  }
  await files.put(path, bytes);
}

const COUNTER: Record<AcceptedKind, keyof OutcomeCounts> = {
  'same-data': 'sameData',
  'dropped-tail': 'droppedTail',
  'corruption-error': 'corruptionErrors',
  'format-error': 'formatErrors',
  'torn-tail-error': 'tornTailErrors',
};

function tally(
  counts: OutcomeCounts,
  verdict: Verdict,
  name: string,
  record: (v: SweepViolation, silent: boolean) => void,
): void {
  counts.judged++;
  if (verdict.accepted) {
    counts[COUNTER[verdict.kind]]++;
    return;
  }
  counts.violations++;
  record(
    { sweep: 'corruption', case: name, message: `${verdict.kind}: ${verdict.message}` },
    verdict.kind === 'silent-acceptance',
  );
}

function imagesOf(reference: ReferenceWal, variant: 'clean' | 'torn'): readonly SegmentImage[] {
  return variant === 'clean'
    ? reference.clean
    : [reference.clean[0]!, reference.clean[1]!, reference.tornFinal];
}

/** Every (byte, bit) of the three clean segments, then of the torn final segment. */
function allWalTargets(reference: ReferenceWal): FlipTarget[] {
  const targets: FlipTarget[] = [];
  for (const variant of ['clean', 'torn'] as const) {
    const images = imagesOf(reference, variant);
    images.forEach((image, segment) => {
      if (variant === 'torn' && segment < images.length - 1) return; // the same bytes as in `clean`
      for (let offset = 0; offset < image.bytes.length; offset++) {
        for (let bit = 0; bit < 8; bit++) targets.push({ variant, segment, offset, bit });
      }
    });
  }
  return targets;
}

function permute<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function counts(): OutcomeCounts {
  return {
    judged: 0,
    sameData: 0,
    droppedTail: 0,
    corruptionErrors: 0,
    formatErrors: 0,
    tornTailErrors: 0,
    violations: 0,
  };
}

function emptyResult(seed: number, reference: ReferenceWal): CorruptionSweepResult {
  return {
    seed,
    flips: { wal: 0, walTotal: allWalTargets(reference).length, checkpoint: 0 },
    sizes: {
      segments: reference.clean.map((image) => image.bytes.length),
      tornFinalSegment: reference.tornFinal.bytes.length,
      checkpoint: reference.checkpoint.bytes.length,
    },
    strict: counts(),
    bestEffort: counts(),
    checkpoint: counts(),
    sameData: 0,
    corruptionErrors: 0,
    silentAcceptances: [],
    violations: [],
    violationCount: 0,
    durationMs: 0,
  };
}
