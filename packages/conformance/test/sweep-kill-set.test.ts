import { describe, expect, it } from 'vitest';
import { MemoryDirectory } from '../../backend-memory/src/index.js';
import { runCorruptionSweep, runFaultSweep } from '../src/sweeps/index.js';
import {
  BitFlippingReads,
  retriesFailedSyncs,
  skipsCorruptRecords,
} from './sweeps/broken-implementations.js';

/**
 * The sweeps' part of the kill set: each broken piece must be caught by the sweeps' own checks, run
 * programmatically exactly as `describeSweeps` runs them, and the unbroken control must pass.
 */
describe('the sweeps catch broken backends and readers', () => {
  it('control: the memory backend and core readers give zero violations', async () => {
    const corruption = await runCorruptionSweep({
      create: () => new MemoryDirectory(),
      walFlips: 2000,
      seed: 11,
    });
    expect(corruption.violations).toEqual([]);
    expect(corruption.flips.wal).toBe(2000);
    expect(corruption.flips.checkpoint).toBe(corruption.sizes.checkpoint * 8);
    expect(corruption.corruptionErrors).toBeGreaterThan(0);
    const faults = await runFaultSweep({ create: () => new MemoryDirectory(), cases: 120, seed: 11 });
    expect(faults.violations).toEqual([]);
    expect(faults.cases).toBe(120);
  });

  it('catches: a backend whose reads flip a bit (the reference no longer reads back)', async () => {
    const result = await runCorruptionSweep({
      create: () => new BitFlippingReads(),
      walFlips: 100,
      seed: 12,
    });
    expect(result.violationCount).toBeGreaterThan(0);
    const baseline = result.violations.filter((v) => v.case === 'baseline').map((v) => v.message);
    expect(baseline.some((m) => m.includes('read back other bytes than were written'))).toBe(true);
    expect(baseline.some((m) => m.includes('replay'))).toBe(true);
  });

  it('catches: a best-effort reader that skips corrupt records mid-log (silent acceptance)', async () => {
    const result = await runCorruptionSweep({
      create: () => new MemoryDirectory(),
      implementation: skipsCorruptRecords,
      walFlips: 'all',
      seed: 13,
    });
    expect(result.silentAcceptances.length).toBeGreaterThan(0);
    expect(result.silentAcceptances[0]!.message).toMatch(/^silent-acceptance: /);
    // Strict replay is core's here: every strict verdict stays clean.
    expect(result.strict.violations).toBe(0);
    expect(result.bestEffort.violations).toBeGreaterThan(100);
  });

  it('catches: a layer that retries a failed sync and reports success (not fail-stop)', async () => {
    const result = await runFaultSweep({
      create: () => new MemoryDirectory(),
      kinds: ['failed-sync'],
      layer: retriesFailedSyncs,
      cases: 'all',
      seed: 14,
    });
    expect(result.cases).toBeGreaterThan(0);
    expect(result.violationCount).toBeGreaterThan(0);
    expect(result.violations.some((v) => v.message.includes('completed although'))).toBe(true);
  });
});
