import { packageTests } from '../../vitest.shared';

// Every test spawns the real binary: build-cli bundles src/cli.ts once per run.
export default packageTests({ globalSetup: ['test/support/build-cli.ts'] });
