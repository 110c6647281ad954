import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsDirectory } from '@durability/backend-fs';
import { MemoryDirectory } from '@durability/backend-memory';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CheckpointPublisher,
  checkpointPathFor,
  type Directory,
  DurabilityError,
  RecoveryManager,
  type WalEntry,
  WalWriter,
  walEntrySchema,
} from '../src/index.js';
import { type FaultPlan, faultDirectory } from './support/fault-directory.js';
import { faultFsDirectory } from './support/fault-fs-ops.js';
import { prng, ReferenceModel, SegmentWorkload, summary } from './support/segment-workload.js';

/**
 * Every step of a publish fails in turn — before it takes effect and after it took effect — and after
 * each failure `recoverLatest()` must return exactly the state before the publish or after it (the same
 * index, with or without the marker's id), never less; then the WAL must resume and publish again.
 */

const roots: string[] = [];
afterAll(() => Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true }))));

async function tempRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'durability-publish-faults-'));
  roots.push(root);
  return root;
}

/** A directory the code under test uses (faults armed on it), and a clean view of the same storage. */
interface Faulty {
  dir: Directory;
  clean: Directory;
  arm(plan?: FaultPlan): void;
  disarm(): void;
  calls(): string[];
  failed(): string | undefined;
}

interface Layer {
  name: string;
  /** What the publish's checkpoint write is on this layer (on memory: plain atomicWrite). */
  durable: boolean;
  create(): Promise<Faulty>;
}

const directoryLayer = (name: string, durable: boolean, make: () => Promise<Directory>): Layer => ({
  name,
  durable,
  create: async () => {
    const inner = await make();
    const fault = faultDirectory(inner);
    return {
      dir: fault.dir,
      clean: inner,
      arm: (plan) => fault.arm(plan),
      disarm: () => fault.disarm(),
      calls: () => fault.calls,
      failed: () => fault.failed,
    };
  },
});

const layers: Layer[] = [
  directoryLayer(
    'memory, Directory calls (non-durable path: atomicWrite)',
    false,
    async () => new MemoryDirectory(),
  ),
  directoryLayer('fs, Directory calls (durable path)', true, async () => new FsDirectory(await tempRoot())),
  {
    name: 'fs, file-system calls inside each operation (temp write, fsync, rename, directory fsync…)',
    durable: true,
    create: async () => {
      const root = await tempRoot();
      const fault = faultFsDirectory(root);
      return {
        dir: fault.dir,
        clean: new FsDirectory(root),
        arm: (plan) => fault.arm(plan),
        disarm: () => fault.disarm(),
        calls: () => fault.calls,
        failed: () => fault.failed,
      };
    },
  },
];

const OLD = checkpointPathFor(12);

/** 12 entries, a published checkpoint (older marker), 8 more entries flushed but not synced. */
async function scenario(dir: Directory) {
  const wal = await WalWriter.create<WalEntry>(dir, { schema: walEntrySchema, segmentSizeBytes: 150 });
  const workload = new SegmentWorkload();
  const reference = new ReferenceModel();
  const random = prng(7);
  const append = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const entry = workload.next(random(), random(), random());
      reference.apply(entry, await wal.append(entry));
    }
  };
  await append(12);
  await wal.flushAndSync();
  const first = await new CheckpointPublisher(dir).publish(wal, reference.states[12]!, 12, OLD);
  reference.apply({ type: 'Checkpoint', checkpointPath: OLD, lastEntryId: 12 }, first.markerEntryId);
  await append(8);
  await wal.flush();
  return { wal, reference };
}

describe.each(layers)('publish under injected faults: $name', (layer) => {
  it('every step failed in turn (before and after it takes effect): recoverLatest returns the state before or after, never less; the WAL resumes', async () => {
    // Dry run: the mutating calls of one publish, in order.
    const probe = await layer.create();
    const dry = await scenario(probe.dir);
    const lastAppliedId = dry.reference.lastEntryId - 1; // lagging by one: a partial truncation
    const target = checkpointPathFor(lastAppliedId);
    probe.arm();
    const dryResult = await new CheckpointPublisher(probe.dir).publish(
      dry.wal,
      dry.reference.states[lastAppliedId]!,
      lastAppliedId,
      target,
      { removeCheckpoints: [OLD] },
    );
    const steps = [...probe.calls()];
    await dry.wal.close();
    expect(dryResult.truncation.deletedSegmentIds.length).toBeGreaterThan(1);
    expect(dryResult.checkpoint.durable).toBe(layer.durable);
    const stepNames = steps.join('\n');
    expect(stepNames).toMatch(layer.durable ? /atomicWriteDurable|rename/ : /atomicWrite/);
    expect(stepNames).toMatch(/delete|rm /);

    let checked = 0;
    const outcomes = { before: 0, after: 0 };
    for (let index = 0; index < steps.length; index++) {
      for (const when of ['before', 'after'] as const) {
        const faulty = await layer.create();
        const { wal, reference } = await scenario(faulty.dir);
        const W = reference.lastEntryId;
        faulty.arm({ index, when });
        const outcome = await new CheckpointPublisher(faulty.dir)
          .publish(wal, reference.states[lastAppliedId]!, lastAppliedId, target, { removeCheckpoints: [OLD] })
          .then(
            () => undefined,
            (error: unknown) => error,
          );
        faulty.disarm();
        const label = `${when} ${steps[index]}`;
        expect(faulty.failed(), label).toBe(steps[index]);
        expect(DurabilityError.is(outcome), `${label}: the fault must surface as a typed error`).toBe(true);
        await wal.close().catch(() => undefined); // a step-2 failure poisoned it: close still releases the lock

        // A failure while the marker's append rotated segments leaves a torn final segment header, as a
        // crash would: best-effort reads past it; strict reports exactly that and nothing else.
        const manager = new RecoveryManager(faulty.clean);
        const recovered = await manager.recoverLatest({ mode: 'best-effort' });
        const got = summary(recovered);
        expect(got.state, label).toEqual(reference.states[W]);
        expect([W, W + 1], label).toContain(got.lastEntryId);
        outcomes[got.lastEntryId === W ? 'before' : 'after']++;
        if (got.lastEntryId === W + 1) expect(recovered.checkpoint?.path, label).toBe(target);
        const strict = await manager.recoverLatest().then(summary, (error: unknown) => error);
        if (recovered.report.reason === 'clean-end') expect(strict, label).toEqual(got);
        else expect(strict, label).toMatchObject({ code: 'TORN_TAIL' });
        checked += 2;

        // Nothing recovery needs was lost: resume (it repairs a torn tail), strict recovery agrees, then
        // append, publish again, recover.
        const resumed = await WalWriter.resume<WalEntry>(faulty.clean, { schema: walEntrySchema });
        expect(resumed.lastEntryId, label).toBe(got.lastEntryId);
        expect(summary(await manager.recoverLatest()), label).toEqual(got);
        const extra: WalEntry = { type: 'AddSegment', segmentId: 10_000, docCount: 3 };
        await resumed.append(extra);
        await resumed.flush();
        const current = await manager.recoverLatest();
        await new CheckpointPublisher(faulty.clean).publish(
          resumed,
          current,
          current.lastEntryId,
          checkpointPathFor(current.lastEntryId),
        );
        await resumed.close();
        const final = await manager.recoverLatest();
        expect(
          final.segments.map((s) => s.segmentId),
          label,
        ).toEqual([...reference.states[W]!.segments.map((s) => s.segmentId), 10_000]);
        expect(final.lastEntryId, label).toBe(current.lastEntryId + 1);
        checked += 3;
      }
    }
    expect(outcomes.before).toBeGreaterThan(0);
    expect(outcomes.after).toBeGreaterThan(0);
    console.info(
      `[publish faults] ${layer.name}: ${steps.length} steps × 2 = ${steps.length * 2} failures, ${checked} recoveries checked (${outcomes.before} before, ${outcomes.after} after)\n  steps: ${steps.join(' | ')}`,
    );
  });
});
