import {
  describeDirectoryContract,
  describeSweeps,
  exploreCrashes,
  formatViolations,
  WORKLOAD_NAMES,
} from '@durability/conformance';
import { describe, expect, it } from 'vitest';
import { fsConformanceFactory } from './conformance-factory.js';

/**
 * The conformance suites for `io: 'blocking'`, time-boxed: the full `Directory` contract; the crash
 * explorer on W1–W3 with a smaller state budget than `describeBackend`'s 350 (every essential state is
 * still checked, plus the live backend stopped at 8 crash points through `reopen`); and shorter sweeps.
 * The backend logic is shared with the default mode, which `conformance-backend.test.ts` runs in full;
 * what differs here is every system call, so every suite runs at least once over it.
 */
const NAME = "FsDirectory (io: 'blocking')";
const factory = fsConformanceFactory('blocking');
const CRASH_STATES_PER_WORKLOAD = 60;

describeDirectoryContract(NAME, factory);

describe(`${NAME}: crash states`, () => {
  for (const workload of WORKLOAD_NAMES) {
    it(`${workload}: every fs-model crash state checked recovers`, async () => {
      const result = await exploreCrashes({
        ...factory,
        crashModel: 'fs',
        workload,
        maxStates: CRASH_STATES_PER_WORKLOAD,
        reopenPoints: 8,
      });
      if (result.violations.length > 0) expect.fail(formatViolations(result));
      expect(result.statesChecked).toBeGreaterThan(0);
      expect(
        result.reopenStatesChecked,
        'the live blocking backend was crashed and reopened',
      ).toBeGreaterThan(0);
    }, 120_000);
  }
});

describeSweeps(NAME, {
  create: factory.create,
  destroy: factory.destroy,
  fuzz: false,
  corruption: { walBudgetMs: 1_500, minWalFlips: 256 },
  faults: { budgetMs: 2_500, minCases: 60 },
});
