import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

// main.js runs the lifecycle; writer-child.js is the process it kills.
export default defineConfig(
  packageBuild({ entry: ['src/main.ts', 'src/writer-child.ts'], format: ['esm'], dts: false }),
);
