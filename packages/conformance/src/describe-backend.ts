import type { Directory } from '@durability/core';
import type { CrashModel } from './crash/crash-states.js';
import { describeCrashSuite } from './crash/describe-crash-suite.js';
import { describeDirectoryContract } from './directory-contract.js';
import { describeSweeps, type SweepSuiteOptions } from './sweeps/describe-sweeps.js';

export interface DescribeBackendOptions {
  /** A new, empty instance. Called for every test and every crash state checked. */
  create: () => Directory | Promise<Directory>;
  /** Releases what `create` (or `reopen`) allocated. */
  destroy?: (dir: Directory) => Promise<void>;
  /**
   * Which crashes the backend promises to survive (README § Crash models): `fs` (power loss, needs
   * `durableSync`), `objectStore` (every completed PUT/DELETE durable), `memory` (process crash only).
   * A backend with `durableSync: false` is checked under `memory` whatever it declares.
   */
  crashModel: CrashModel;
  /**
   * Optional: a new instance holding what survives a crash of the process using `dir`, as of the call
   * (a snapshot: later calls on `dir` must not change it). Enables checks of the backend's own crash
   * behaviour, which the model-derived states cannot see.
   */
  reopen?: (dir: Directory) => Directory | Promise<Directory>;
  /**
   * Options of the sweeps (`describeSweeps`): the corruption sweep and the I/O fault sweep run against the
   * backend; the decoder fuzz reads in-memory images only, so it is off here unless asked for (it runs
   * in this package's own tests). `false` leaves a sweep out.
   */
  sweeps?: Pick<SweepSuiteOptions, 'corruption' | 'faults' | 'fuzz'>;
}

/**
 * Everything `@durability/conformance` proves about a backend, from one vitest file:
 *
 * ```ts
 * import { describeBackend } from '@durability/conformance';
 * import { MyDirectory } from '../src/index.js';
 *
 * describeBackend('MyDirectory', { create: () => new MyDirectory(), crashModel: 'memory' });
 * ```
 *
 * Registers the `Directory` contract (`describeDirectoryContract`), the crash-state suite
 * (`describeCrashSuite`: workloads W1–W3 at every crash point of the declared model) and the sweeps
 * (`describeSweeps`: every bit flip of a reference WAL and checkpoint, an I/O fault at every call).
 */
export function describeBackend(name: string, options: DescribeBackendOptions): void {
  describeDirectoryContract(name, { create: options.create, destroy: options.destroy });
  describeCrashSuite(name, options);
  describeSweeps(name, { create: options.create, destroy: options.destroy, fuzz: false, ...options.sweeps });
}
