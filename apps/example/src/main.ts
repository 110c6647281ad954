import { resolve } from 'node:path';
import { runRecordLogDemo } from './record-log-demo.js';

function parseDir(argv: string[]): string {
  const at = argv.indexOf('--dir');
  if (at >= 0) {
    const value = argv[at + 1];
    if (!value) throw new Error('--dir needs a path');
    return resolve(value);
  }
  return resolve('data');
}

try {
  const result = await runRecordLogDemo(parseDir(process.argv.slice(2)));
  console.log(
    `ok: ${result.recovered} of ${result.synced + result.flushed} acknowledged events recovered intact`,
  );
} catch (error) {
  console.error(`example failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
