// Sums the vitest JSON reports (`test-results.json`) of every workspace package that has a `test` script
// into the plain line CI reads: `N passed, N failed, N skipped`. A package whose report is missing counts
// as a failure (its run crashed before reporting). Exit code: 0 only when nothing failed and tests ran.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
const missing = [];

for (const group of ['packages', 'apps']) {
  const groupDir = join(root, group);
  if (!existsSync(groupDir)) continue;
  for (const name of readdirSync(groupDir).sort()) {
    const manifest = join(groupDir, name, 'package.json');
    if (!existsSync(manifest)) continue;
    if (!JSON.parse(readFileSync(manifest, 'utf8')).scripts?.test) continue;
    const report = join(groupDir, name, 'test-results.json');
    if (!existsSync(report)) {
      missing.push(`${group}/${name}`);
      continue;
    }
    const results = JSON.parse(readFileSync(report, 'utf8'));
    passed += results.numPassedTests ?? 0;
    failed += results.numFailedTests ?? 0;
    skipped += (results.numPendingTests ?? 0) + (results.numTodoTests ?? 0);
    // A suite that failed to load (syntax error, failing hook) has no failed tests but did fail.
    for (const file of results.testResults ?? []) {
      if (file.status === 'failed' && (file.assertionResults ?? []).every((a) => a.status !== 'failed')) {
        failed += 1;
        console.error(`suite failed to run: ${file.name}: ${String(file.message ?? '').split('\n')[0]}`);
      }
    }
  }
}

for (const pkg of missing) console.error(`no test report from ${pkg}: its test run did not complete`);
failed += missing.length;
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
