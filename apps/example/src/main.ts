import { DurabilityError } from '@durability/core';
import { openBackend } from './backends.js';
import { ConfigError, loadConfig } from './config.js';
import { runLifecycle } from './lifecycle.js';

try {
  const config = loadConfig(process.env, process.argv.slice(2));
  const summary = await runLifecycle(openBackend(config));
  console.log(
    `ok: ${summary.backend}: every acknowledged entry recovered (through ${summary.recoveredLastEntryId}), ` +
      `the WAL continues at ${summary.resumedNextEntryId}`,
  );
} catch (error) {
  if (error instanceof ConfigError) console.error(`example: ${error.message}`);
  else if (DurabilityError.is(error)) console.error(`example failed: ${error.code}: ${error.message}`);
  else console.error(`example failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(error instanceof ConfigError ? 2 : 1);
}
