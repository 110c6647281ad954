import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openBackend } from '../src/backends.js';
import { loadConfig } from '../src/config.js';
import { runLifecycle } from '../src/lifecycle.js';

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
  root = undefined;
});

async function run(env: NodeJS.ProcessEnv) {
  root = await mkdtemp(join(tmpdir(), 'durability-example-'));
  const lines: string[] = [];
  const config = loadConfig({ ...env, DURABILITY_DIR: root }, []);
  const summary = await runLifecycle(openBackend(config), (line) => lines.push(line));
  return { summary, lines };
}

describe('pnpm example: the whole lifecycle', () => {
  it('fs: a real SIGKILL of the writer process; every acknowledged entry comes back', async () => {
    const { summary, lines } = await run({ DURABILITY_BACKEND: 'fs' });
    expect(summary.daySegments).toBeGreaterThan(1);
    expect(summary.segmentsTruncated).toBeGreaterThan(0);
    expect(summary.crash.how).toMatch(/SIGKILL/);
    expect(summary.crash.lastSynced).toBeGreaterThan(summary.crash.firstEntryId);
    expect(summary.recoveredLastEntryId).toBeGreaterThanOrEqual(summary.crash.lastFlushed);
    expect(summary.resumedNextEntryId).toBe(summary.recoveredLastEntryId + 1);
    expect(lines.join('\n')).toMatch(/every synced entry is back/);
    expect(lines.join('\n')).toMatch(/entries 1\.\.10 are on stable storage \(they survive power loss\)/);
  });

  it('memory: the crash is simulated between two operations, and says so', async () => {
    const { summary, lines } = await run({ DURABILITY_BACKEND: 'memory' });
    expect(summary.crash.how).toMatch(/copied the storage/);
    expect(summary.recoveredLastEntryId).toBe(summary.crash.lastFlushed);
    expect(lines[0]).toMatch(/nothing outlives it/);
    // durableSync is false: flushAndSync promises no stable storage, and the example must not claim any.
    const output = lines.join('\n');
    expect(output).toMatch(/entries 1\.\.10 are flushed \(this backend promises no stable storage\)/);
    expect(output).not.toMatch(/stable storage \(|survive power loss/);
  });

  it('s3-sim: the object store simulation, one PUT per flush', async () => {
    const { summary, lines } = await run({ DURABILITY_BACKEND: 's3-sim' });
    expect(summary.crash.how).toMatch(/PUTs/);
    expect(lines.join('\n')).toMatch(/entries 1\.\.10 are on stable storage/);
    expect(summary.recoveredLastEntryId).toBe(summary.crash.lastFlushed);
  });

  // The real S3 protocol against the Ceph RGW that .ci/run starts (scripts/s3-test-server.sh); CI fails
  // rather than skip when the endpoint is missing.
  const s3 = process.env.DURABILITY_S3_ENDPOINT;
  it.runIf(s3 || process.env.CI)(
    's3: a real SIGKILL of a writer talking to a real S3 server',
    async () => {
      expect(s3, 'DURABILITY_S3_ENDPOINT is not set: start scripts/s3-test-server.sh').toBeTruthy();
      const { summary } = await run({ ...process.env, DURABILITY_BACKEND: 's3' });
      expect(summary.crash.how).toMatch(/SIGKILL/);
      expect(summary.recoveredLastEntryId).toBeGreaterThanOrEqual(summary.crash.lastFlushed);
    },
    120_000,
  );
});

describe('configuration', () => {
  it('names the bad variable and the allowed values in one line', () => {
    expect(() => loadConfig({ DURABILITY_BACKEND: 'ftp' }, [])).toThrow(
      'DURABILITY_BACKEND="ftp" is not valid: expected fs | memory | s3-sim | s3',
    );
  });

  it('asks for the S3 settings the s3 backend needs', () => {
    expect(() => loadConfig({ DURABILITY_BACKEND: 's3' }, [])).toThrow(/needs DURABILITY_S3_ENDPOINT/);
    expect(() => loadConfig({ DURABILITY_BACKEND: 's3', DURABILITY_S3_ENDPOINT: 'not a url' }, [])).toThrow(
      /DURABILITY_S3_ENDPOINT="not a url" is not valid/,
    );
  });

  it('takes --dir over DURABILITY_DIR', () => {
    expect(loadConfig({ DURABILITY_DIR: '/a' }, ['--dir', '/b']).dir).toBe('/b');
    expect(() => loadConfig({}, ['--dir'])).toThrow('--dir needs a path');
  });
});
