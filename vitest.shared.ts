import { fileURLToPath } from 'node:url';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));

/** Workspace packages resolve to their sources in tests, so a test never runs against a stale build. */
const sourceAliases = {
  '@durability/core': `${root}packages/durability-core/src/index.ts`,
  '@durability/backend-fs': `${root}packages/backend-fs/src/index.ts`,
  '@durability/backend-memory': `${root}packages/backend-memory/src/index.ts`,
  '@durability/backend-s3-sim': `${root}packages/backend-s3-sim/src/index.ts`,
  '@durability/backend-s3': `${root}packages/backend-s3/src/index.ts`,
  '@durability/cli': `${root}packages/cli/src/index.ts`,
  '@durability/conformance': `${root}packages/conformance/src/index.ts`,
};

/**
 * The vitest configuration every package shares. Each run also writes `test-results.json` (vitest's JSON
 * reporter) beside the package, which `.ci/run` sums into the plain `N passed, N failed` line CI reads.
 */
export function packageTests(overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  return defineConfig({
    resolve: { alias: sourceAliases },
    test: {
      include: ['test/**/*.test.ts'],
      reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
      testTimeout: 30_000,
      hookTimeout: 30_000,
      ...overrides,
    },
  });
}
