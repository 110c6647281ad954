// The sweeps of @durability/conformance: corruption sweep, decoder fuzz, I/O fault sweep.

export type { CorruptionSweepOptions, CorruptionSweepResult, OutcomeCounts } from './corruption-sweep.js';
export { runCorruptionSweep } from './corruption-sweep.js';
export type {
  DecoderFuzzOptions,
  DecoderFuzzReport,
  DecoderFuzzResult,
  DecoderName,
} from './decoder-fuzz.js';
export { DECODER_NAMES, DEFAULT_FUZZ_RUNS, runDecoderFuzz } from './decoder-fuzz.js';
export type { SweepSuiteOptions } from './describe-sweeps.js';
export { corruptionSummary, describeSweeps, faultSummary, fuzzSummary } from './describe-sweeps.js';
export type { CallRecord, FaultPlan } from './fault/fault-directory.js';
export { FAULT_KINDS, FaultInjectingDirectory } from './fault/fault-directory.js';
export type {
  FaultKind,
  FaultSweepOptions,
  FaultSweepResult,
  WorkloadName,
  WorkloadShape,
} from './fault-sweep.js';
export { runFaultSweep } from './fault-sweep.js';
export type { ImageFile } from './fuzz/image-directory.js';
export { ImageDirectory } from './fuzz/image-directory.js';
export type { ReaderImplementation, ReplayedEntry } from './implementation.js';
export { CORE_READERS } from './implementation.js';
export type { BackendFactory, SweepViolation } from './sweep-options.js';
export { conformanceRuns, conformanceSeed } from './sweep-options.js';
