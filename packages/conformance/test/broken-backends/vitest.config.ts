import { packageTests } from '../../../../vitest.shared';

/** The child run of `suite-catches-broken-backends.test.ts`: only the contract over broken backends. */
export default packageTests({ include: ['test/broken-backends/*.contract.ts'], reporters: ['json'] });
