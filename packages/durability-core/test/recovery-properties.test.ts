import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CheckpointPublisher,
  CorruptionError,
  checkpointPathFor,
  type Directory,
  RecoveryManager,
  type WalEntry,
  WalWriter,
  walEntrySchema,
} from '../src/index.js';
import { backends, removeTempRoots } from './support/backends.js';
import { ReferenceModel, SegmentWorkload, summary } from './support/segment-workload.js';

afterAll(removeTempRoots);

const SOAK = process.env.DURABILITY_SOAK === '1';

/** One step of a random workload; the integers choose among valid options (SegmentWorkload). */
const step = fc.tuple(fc.nat(99), fc.nat(), fc.nat(), fc.nat());
const workload = fc.record({
  steps: fc.array(step, { minLength: 1, maxLength: 60, size: 'max' }),
  segmentSizeBytes: fc.integer({ min: 120, max: 600 }),
});

/**
 * Runs random appends, flushes, syncs, reopens and publishes (random cadence, lag and naming); returns
 * the reference model of everything appended (the whole history replayed without checkpoints).
 */
async function run(
  dir: Directory,
  { steps, segmentSizeBytes }: { steps: [number, number, number, number][]; segmentSizeBytes: number },
) {
  const options = { schema: walEntrySchema, segmentSizeBytes };
  let wal = await WalWriter.create<WalEntry>(dir, options);
  const model = new SegmentWorkload();
  const reference = new ReferenceModel();
  const manager = new RecoveryManager(dir);
  let previous: string | undefined;
  let publishes = 0;
  let truncatedThrough = 0;
  for (const [op, a, b, c] of steps) {
    if (op < 60) {
      const entry = model.next(a, b, c);
      reference.apply(entry, await wal.append(entry));
    } else if (op < 68) await wal.flush();
    else if (op < 76) await wal.flushAndSync();
    else if (op < 84) {
      await wal.close();
      wal = await WalWriter.resume<WalEntry>(dir, options);
    } else {
      // Lagging by 0..3 entries, but never below what an earlier publish truncated (the publisher refuses).
      const lastAppliedId = Math.max(truncatedThrough, reference.lastEntryId - (a % 4));
      const path = b % 2 ? checkpointPathFor(lastAppliedId) : 'checkpoints/current.vckp';
      const removeCheckpoints = c % 3 === 0 && previous !== undefined && previous !== path ? [previous] : [];
      const result = await new CheckpointPublisher(dir).publish(
        wal,
        reference.states[lastAppliedId]!,
        lastAppliedId,
        path,
        {
          removeCheckpoints,
        },
      );
      reference.apply(
        { type: 'Checkpoint', checkpointPath: path, lastEntryId: lastAppliedId },
        result.markerEntryId,
      );
      previous = path;
      truncatedThrough = Math.max(truncatedThrough, (result.truncation.firstRemainingEntryId ?? 1) - 1);
      publishes++;
      // Right after a publish, recovery from its marker already agrees with the whole history.
      expect(summary(await manager.recoverLatest())).toEqual({
        state: reference.states[reference.lastEntryId],
        lastEntryId: reference.lastEntryId,
      });
    }
  }
  await wal.close();
  return { reference, publishes };
}

describe.each(backends)('checkpoint + WAL suffix = the whole history ($name)', (backend) => {
  it(
    'random workloads with random publish cadence recover to the state of replaying everything without checkpoints',
    async () => {
      let published = 0;
      let truncatedRuns = 0;
      let runs = 0;
      let entries = 0;
      await fc.assert(
        fc.asyncProperty(workload, async (w) => {
          const dir = await backend.create();
          const { reference, publishes } = await run(dir, w);
          published += publishes;
          runs++;
          entries += reference.lastEntryId;
          const manager = new RecoveryManager(dir);
          const latest = await manager.recoverLatest();
          expect(summary(latest)).toEqual({
            state: reference.states[reference.lastEntryId],
            lastEntryId: reference.lastEntryId,
          });
          // Without a checkpoint only an untruncated WAL recovers, and then to the same state.
          const firstId = latest.report.firstEntryId ?? latest.report.nextEntryId ?? 1;
          if (firstId > 1) {
            truncatedRuns++;
            await expect(manager.recover()).rejects.toBeInstanceOf(CorruptionError);
          } else {
            expect(summary(await manager.recover())).toEqual(summary(latest));
          }
        }),
        { numRuns: SOAK ? (backend.durable ? 200 : 1000) : backend.durable ? 12 : 80 },
      );
      console.info(
        `[properties] ${backend.name}: ${runs} workloads, ${entries} entries, ${published} publishes, ${truncatedRuns} ended truncated`,
      );
      expect(published).toBeGreaterThan(0);
      expect(truncatedRuns).toBeGreaterThan(0);
    },
    SOAK ? 900_000 : undefined,
  );
});
