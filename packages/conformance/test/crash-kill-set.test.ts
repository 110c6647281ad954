import type { Directory } from '@durability/core';
import { describe, expect, it } from 'vitest';
import {
  type CrashImplementation,
  type ExploreCrashesResult,
  exploreCrashes,
  type WorkloadName,
} from '../src/index.js';
import {
  publisherDeletingBeforeMarkerDurable,
  writerSkippingRotationSync,
} from './crash/broken-implementations.js';
import {
  NonAtomicAtomicWrite,
  NonAtomicRename,
  ParentDirSyncDoesNothing,
  ReordersAcrossBarrier,
  SimulatedDisk,
  SyncDoesNothing,
} from './crash/simulated-disk.js';

/**
 * The crash explorer's kill set: backends that lie about durability (on a simulated disk whose
 * `reopen()` is a worst-case power loss) and broken replacements of core's writer and publisher. Each
 * must produce violations; the unbroken control must produce none. A suite that cannot fail proves nothing.
 */

type Disk = new () => SimulatedDisk;

function explore(
  disk: Disk,
  workload: WorkloadName,
  options: { reopen?: boolean; implementation?: Partial<CrashImplementation> } = {},
): Promise<ExploreCrashesResult> {
  return exploreCrashes({
    create: () => new disk(),
    reopen: options.reopen ? (dir: Directory) => (dir as SimulatedDisk).reopen() : undefined,
    crashModel: 'fs',
    workload,
    implementation: options.implementation,
    reopenPoints: Number.POSITIVE_INFINITY,
    maxStates: 400,
    maxViolations: 3,
  });
}

const killed: string[] = [];

describe('control: a truthful simulated disk and core itself', () => {
  for (const workload of ['W1', 'W2', 'W3'] as const) {
    it(`${workload}: no violation, model states and every live crash point`, async () => {
      const result = await explore(SimulatedDisk, workload, { reopen: true });
      expect(result.violations, JSON.stringify(result.violations[0], null, 2)).toEqual([]);
      expect(result.reopenStatesChecked).toBe(2 * result.microOps + 1);
      expect(result.statesChecked).toBeGreaterThan(result.reopenStatesChecked);
    }, 120_000);
  }
});

describe('control: the objectStore model on a truthful disk', () => {
  for (const workload of ['W1', 'W2', 'W3'] as const) {
    it(`${workload}: no violation, including calls stopped between their requests`, async () => {
      const result = await exploreCrashes({
        create: () => new SimulatedDisk(),
        crashModel: 'objectStore',
        workload,
      });
      expect(result.violations, JSON.stringify(result.violations[0], null, 2)).toEqual([]);
      expect(result.statesChecked).toBeGreaterThan(20);
    }, 120_000);
  }
});

const brokenBackends: [string, Disk, WorkloadName, RegExp][] = [
  ['sync that does nothing', SyncDoesNothing, 'W1', /lost acknowledged entries/],
  [
    'parent-dir sync that does nothing',
    ParentDirSyncDoesNothing,
    'W1',
    /lost acknowledged entries|replay failed/,
  ],
  ['non-atomic rename', NonAtomicRename, 'W2', /recoverLatest|replay failed/],
  ['non-atomic atomicWrite', NonAtomicAtomicWrite, 'W2', /recoverLatest|replay failed/],
  [
    'appends reordered across a barrier',
    ReordersAcrossBarrier,
    'W1',
    /lost acknowledged entries|replay failed/,
  ],
];

describe('the crash explorer fails every backend that lies', () => {
  for (const [name, disk, workload, symptom] of brokenBackends) {
    it(`catches: ${name} (${workload}, through reopen)`, async () => {
      const result = await explore(disk, workload, { reopen: true });
      expect(result.violations.length, `${name} passed`).toBeGreaterThan(0);
      expect(result.violations[0]!.problem).toMatch(symptom);
      expect(result.violations[0]!.reproduce).toMatch(
        /^CONFORMANCE_SEED=\d+ CONFORMANCE_CRASH_POINT=W\d:\d+$/,
      );
      killed.push(name);
    }, 120_000);
  }
});

describe('the crash explorer fails broken algorithms (model states on a truthful disk)', () => {
  it('catches: a writer that skips the sync on rotation (W1)', async () => {
    const result = await explore(SimulatedDisk, 'W1', { implementation: writerSkippingRotationSync });
    expect(result.violations.length).toBeGreaterThan(0);
    expect(result.violations[0]!.problem).toMatch(/lost acknowledged entries|replay failed/);
    killed.push('writer skipping the rotation sync');
  }, 120_000);

  it('catches: a publisher that deletes segments before the marker is durable (W2)', async () => {
    const result = await explore(SimulatedDisk, 'W2', {
      implementation: publisherDeletingBeforeMarkerDurable,
    });
    expect(result.violations.length).toBeGreaterThan(0);
    expect(result.violations[0]!.problem).toMatch(/lost acknowledged entries|recoverLatest|replay/);
    killed.push('publisher deleting before the marker is durable');
  }, 120_000);

  it('reports the kill-set score', () => {
    console.info(`[conformance] crash kill set: ${killed.length}/7 killed (${killed.join('; ')})`);
    expect(killed.length).toBe(7);
  });
});
