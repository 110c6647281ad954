import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BROKEN_BACKENDS } from './broken-backends/broken-directories.js';

interface AssertionResult {
  readonly ancestorTitles: string[];
  readonly title: string;
  readonly status: string;
}

const packageRoot = fileURLToPath(new URL('..', import.meta.url));
const vitestCli = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

/** Test outcomes by backend name, from a child vitest running the contract over every broken backend. */
let outcomes: Map<string, AssertionResult[]>;
let scratch: string;

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'durability-broken-backends-'));
  const output = join(scratch, 'results.json');
  const child = spawnSync(
    process.execPath,
    [vitestCli, 'run', '--config', 'test/broken-backends/vitest.config.ts', '--outputFile', output],
    {
      cwd: packageRoot,
      encoding: 'utf8',
      env: { ...process.env, VITE_CONFIG_NATIVE_IGNORE_WARNING: 'true' },
    },
  );
  const report = JSON.parse(readFileSync(output, 'utf8')) as {
    testResults: { assertionResults: AssertionResult[] }[];
  };
  expect(report.testResults.length, child.stderr).toBeGreaterThan(0);
  outcomes = new Map();
  for (const result of report.testResults.flatMap((file) => file.assertionResults)) {
    const backend = result.ancestorTitles[0]!.replace(/: Directory contract$/, '');
    outcomes.set(backend, [...(outcomes.get(backend) ?? []), result]);
  }
}, 60_000);

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('the directory contract fails every deliberately broken backend', () => {
  for (const [name, backend] of Object.entries(BROKEN_BACKENDS)) {
    const expectation = backend.mustFail.length === 0 ? 'passes the unbroken control' : `catches: ${name}`;
    it(expectation, () => {
      const results = outcomes.get(name) ?? [];
      expect(results.length, `no results for ${name}`).toBeGreaterThan(50);
      const failed = results.filter((result) => result.status === 'failed').map((result) => result.title);
      if (backend.mustFail.length === 0) expect(failed).toEqual([]);
      for (const title of backend.mustFail) expect(failed, `${name} should fail "${title}"`).toContain(title);
    });
  }
});
