import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runRecordLogDemo } from '../src/record-log-demo.js';

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

it('runs the record log lifecycle on the fs backend and recovers every acknowledged event', async () => {
  root = await mkdtemp(join(tmpdir(), 'durability-example-'));
  const lines: string[] = [];
  const result = await runRecordLogDemo(root, (line) => lines.push(line));
  expect(result).toMatchObject({ synced: 60, flushed: 40, recovered: 100, afterRepair: 101 });
  expect(result.droppedBytes).toBeGreaterThan(0);
  expect(lines.some((l) => l.includes('strict read refuses the torn tail'))).toBe(true);
});
