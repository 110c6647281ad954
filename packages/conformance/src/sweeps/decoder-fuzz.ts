import fc from 'fast-check';
import { DECODER_TARGETS, type DecoderTarget } from './fuzz/decoder-targets.js';
import { conformanceRuns, resolveSeed, type SweepViolation } from './sweep-options.js';

/** The decoders `runDecoderFuzz` knows, by name. */
export type DecoderName = (typeof DECODER_TARGETS)[number]['name'];

export const DECODER_NAMES: readonly DecoderName[] = DECODER_TARGETS.map((target) => target.name);

export interface DecoderFuzzOptions {
  /** Inputs per decoder. Default 10 000 × `CONFORMANCE_RUNS`. */
  numRuns?: number;
  /** Base seed (decoder i runs with `seed + i`). Default `CONFORMANCE_SEED`, else random. */
  seed?: number;
  /** Decoders to run (default all). */
  decoders?: readonly DecoderName[];
}

export interface DecoderFuzzReport {
  readonly name: DecoderName;
  /** The seed this decoder ran with (`fc.check(…, { seed })` reproduces it). */
  readonly seed: number;
  /** Inputs tried (shrinking steps not counted). */
  readonly inputs: number;
  /** Outcomes by code (`ok`, `CORRUPTION`, …; strict/best-effort for the logs). */
  readonly outcomes: Record<string, number>;
  /** fast-check's report (seed, path, shrunk counterexample, error) when the decoder failed. */
  readonly failure: string | undefined;
  readonly durationMs: number;
}

export interface DecoderFuzzResult {
  readonly seed: number;
  readonly decoders: DecoderFuzzReport[];
  readonly violations: SweepViolation[];
}

/** Default inputs per decoder in one run. */
export const DEFAULT_FUZZ_RUNS = 10_000;

/**
 * The decoder fuzz: fast-check generates files for each decoder (random bytes, crafted headers and
 * frames with any field value and either checksum right or wrong, valid files with damage, zero-extended
 * sparse files) and runs core's readers over them through a read-only in-memory image (`ImageDirectory`;
 * the decoders are under test, not a backend). Each input must end in a value or a `DurabilityError`
 * subclass, no read may be sized past the caps, strict and best-effort must agree, replayed ids must be
 * contiguous, and an accepted checkpoint must re-encode to its own bytes.
 */
export async function runDecoderFuzz(options: DecoderFuzzOptions = {}): Promise<DecoderFuzzResult> {
  const seed = resolveSeed(options.seed);
  const numRuns = options.numRuns ?? DEFAULT_FUZZ_RUNS * conformanceRuns();
  const selected = options.decoders ?? DECODER_NAMES;
  const decoders: DecoderFuzzReport[] = [];
  for (const [index, target] of DECODER_TARGETS.entries()) {
    if (!selected.includes(target.name)) continue;
    decoders.push(await fuzzOne(target as DecoderTarget<unknown>, seed, index, numRuns));
  }
  const violations = decoders
    .filter((report) => report.failure !== undefined)
    .map((report) => ({
      sweep: 'fuzz' as const,
      case: `${report.name} (seed ${report.seed})`,
      message: report.failure!,
    }));
  return { seed, decoders, violations };
}

/** fast-check's report (seed, path, shrunk counterexample) and the error the shrunk input raised. */
function failureReport(details: fc.RunDetails<[unknown]>, baseSeed: number): string {
  const report = fc.defaultReportMessage(details) ?? 'property failed';
  const error =
    details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  return `${report}\nError: ${error}\nReproduce: CONFORMANCE_SEED=${baseSeed} (this decoder ran with seed ${details.seed}, path ${details.counterexamplePath})`;
}

async function fuzzOne(
  target: DecoderTarget<unknown>,
  baseSeed: number,
  index: number,
  numRuns: number,
): Promise<DecoderFuzzReport> {
  const seed = (baseSeed + index) | 0;
  const started = Date.now();
  const outcomes: Record<string, number> = {};
  let counting = true;
  const property = fc.asyncProperty(target.arbitrary, async (input) => {
    try {
      const code = await target.check(input);
      if (counting) outcomes[code] = (outcomes[code] ?? 0) + 1;
    } catch (error) {
      counting = false;
      throw error;
    }
  });
  const details = await fc.check(property, { numRuns, seed });
  return {
    name: target.name as DecoderName,
    seed,
    inputs: details.failed ? details.numRuns : numRuns,
    outcomes,
    failure: details.failed ? failureReport(details, baseSeed) : undefined,
    durationMs: Date.now() - started,
  };
}
