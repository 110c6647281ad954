// @durability/cli: the `durability` command, and the functions behind it for programmatic use.

export type { DumpedEntry, DumpOptions, DumpResult } from './commands/dump.js';
export { dumpWal } from './commands/dump.js';
export type { InspectOptions, InspectResult, SegmentSummary, TailSummary } from './commands/inspect.js';
export { inspectWal } from './commands/inspect.js';
export type { RepairAction, RepairOptions, RepairResult } from './commands/repair.js';
export { repairWal } from './commands/repair.js';
export type { MarkerCheckpointCheck, VerifyOptions, VerifyResult } from './commands/verify.js';
export { verifyWal } from './commands/verify.js';
export type { ErrorSummary } from './error-summary.js';
export { summarizeError } from './error-summary.js';
export { ExitCode, exitCodeForError } from './exit-codes.js';
export type { JsonValue } from './json-value.js';
export { MAX_JSON_DEPTH, toJsonValue } from './json-value.js';
export type { BackendSpec, OpenedDirectory } from './open-directory.js';
export { openWalDirectory } from './open-directory.js';
export type { ProgressSink } from './progress.js';
export { runCli } from './run-cli.js';
export type { CheckpointCheck, CheckpointListing } from './scan/checkpoints.js';
export type { LockInfo, LockStatus } from './scan/lock-owner.js';
export type { WalStatus } from './scan/verdict.js';
