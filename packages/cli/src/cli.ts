#!/usr/bin/env node
// The `durability` executable: everything is in run-cli.ts; this only hands it argv and sets the exit code.
import { runCli } from './run-cli.js';

// A reader that stops early (`durability dump … | head`) closes the pipe: stop quietly, as Unix tools do.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

runCli(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`durability: INTERNAL: ${String(error)}\n`);
    process.exitCode = 70;
  },
);
