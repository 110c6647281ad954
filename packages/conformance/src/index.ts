// @durability/conformance: the suites a backend runs to prove it honours the storage contract.

export * from './crash/index.js';
export type { DescribeBackendOptions } from './describe-backend.js';
export { describeBackend } from './describe-backend.js';
export { UNSAFE_PATHS } from './directory/unsafe-path-tests.js';
export type { DirectoryContractOptions } from './directory-contract.js';
export { describeDirectoryContract } from './directory-contract.js';
export type { ObjectStoreContractOptions } from './object-store/contract.js';
export { describeObjectStoreContract } from './object-store/contract.js';
export type {
  BackendFactory,
  CallRecord,
  CorruptionSweepOptions,
  CorruptionSweepResult,
  DecoderFuzzOptions,
  DecoderFuzzReport,
  DecoderFuzzResult,
  DecoderName,
  FaultKind,
  FaultPlan,
  FaultSweepOptions,
  FaultSweepResult,
  ImageFile,
  OutcomeCounts,
  ReaderImplementation,
  ReplayedEntry,
  SweepSuiteOptions,
  SweepViolation,
  WorkloadName as FaultSweepWorkloadName,
  WorkloadShape,
} from './sweeps/index.js';
export {
  CORE_READERS,
  conformanceRuns,
  conformanceSeed,
  corruptionSummary,
  DECODER_NAMES,
  DEFAULT_FUZZ_RUNS,
  describeSweeps,
  FAULT_KINDS,
  FaultInjectingDirectory,
  faultSummary,
  fuzzSummary,
  ImageDirectory,
  runCorruptionSweep,
  runDecoderFuzz,
  runFaultSweep,
} from './sweeps/index.js';
