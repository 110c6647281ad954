import { fileURLToPath } from 'node:url';
import { build } from 'tsup';
import { TEST_BUILD_DIR } from './test-build-dir.js';

/**
 * vitest global setup: bundles the `durability` executable (src/cli.ts, shebang entry) from the sources
 * with tsup, as the package build does, but with every `@durability/*` package taken from its sources
 * (tsconfig `paths`) and every dependency inlined, so the tests never run a stale build and each spawn is
 * a plain `node cli.js` (about half the start-up time of tsx). The S3 backend stays in a lazily loaded
 * chunk (code splitting), as in the real package.
 */

const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

export default async function setup(): Promise<void> {
  await build({
    entry: { cli: `${PACKAGE_DIR}src/cli.ts` },
    outDir: TEST_BUILD_DIR,
    format: ['esm'],
    platform: 'node',
    target: 'node20',
    dts: false,
    sourcemap: false,
    clean: true,
    splitting: true,
    silent: true,
    config: false,
    tsconfig: `${PACKAGE_DIR}tsconfig.json`,
    noExternal: [/.*/],
    // CommonJS dependencies bundled into ESM call `require` for Node built-ins.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
  });
}
