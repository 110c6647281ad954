import { fileURLToPath } from 'node:url';

/** Where build-cli.ts puts the bundled executable: under node_modules, never committed or published. */
export const TEST_BUILD_DIR = fileURLToPath(
  new URL('../../node_modules/.cache/durability-cli-test', import.meta.url),
);
