import { statSync } from 'node:fs';
import {
  CheckpointPublisher,
  checkpointPathFor,
  RecoveryManager,
  SegmentIndex,
  type WalEntry,
  WalReader,
  WalWriter,
  walEntrySchema,
} from '@durability/core';
import { describe, expect, it } from 'vitest';
import type { FsCall } from '../src/index.js';
import { FsDirectory, interceptFsOps, isTempFileName, nodeFsOps } from '../src/index.js';
import { EntryGenerator, prng } from './crash/workload.js';
import { errnoError, namesOnDisk, tempDir } from './helpers.js';

/**
 * Real-file fault injection through the `FsOps` seam: one WAL workload (appends, appendBatch, flushes,
 * syncs, concurrent durable appends, segment rotations, a checkpoint publish with truncation) is run once
 * per (fault kind, call index), with the fault injected at exactly that call of that kind. Each case checks:
 * - fail-stop: once the writer has failed, every later call (and every pending durable append) rejects
 *   with the very same error object; a fault on a segment file always poisons the writer;
 * - nothing acknowledged is lost: `WalWriter.resume` over the same root on a clean `FsDirectory` keeps
 *   every entry that flush, flushAndSync or publish acknowledged, and continues the ids;
 * - no garbage: after that resume, strict replay is clean and returns a prefix of what was attempted, no
 *   temp file is left, and `recoverLatest()` reaches the reference state (published state never lost).
 */

const schema = walEntrySchema;
const SEGMENT_SIZE_BYTES = 200;

interface FaultKind {
  name: string;
  matches(call: FsCall): boolean;
  inject(call: FsCall, proceed: (args?: readonly unknown[]) => Promise<unknown>): Promise<unknown>;
}

const isDirectory = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

const KINDS: FaultKind[] = [
  {
    name: 'EIO on write',
    matches: (c) => c.op === 'fh.write',
    inject: (c) => Promise.reject(errnoError('EIO', 'write', c.path)),
  },
  {
    name: 'ENOSPC on write',
    matches: (c) => c.op === 'fh.write',
    inject: (c) => Promise.reject(errnoError('ENOSPC', 'write', c.path)),
  },
  {
    name: 'short write, then ENOSPC',
    matches: (c) => c.op === 'fh.write' && (c.args[2] as number) > 1,
    inject: async (c, proceed) => {
      const [buffer, offset, length, position] = c.args as [Uint8Array, number, number, number | null];
      await proceed([buffer, offset, Math.floor(length / 2), position]);
      throw errnoError('ENOSPC', 'write', c.path);
    },
  },
  {
    name: 'EIO on file fsync',
    matches: (c) => c.op === 'fh.datasync' || (c.op === 'fh.sync' && !isDirectory(c.path)),
    inject: (c) => Promise.reject(errnoError('EIO', c.op === 'fh.sync' ? 'fsync' : 'fdatasync', c.path)),
  },
  {
    name: 'EIO on directory fsync',
    matches: (c) => c.op === 'fh.sync' && isDirectory(c.path),
    inject: (c) => Promise.reject(errnoError('EIO', 'fsync', c.path)),
  },
  {
    name: 'EIO on rename',
    matches: (c) => c.op === 'rename',
    inject: (c) => Promise.reject(errnoError('EIO', 'rename', c.path)),
  },
];

/** What one run of the workload did. */
interface Outcome {
  /** Entry id → entry, for every entry handed to append/appendBatch (or the publisher's marker). */
  attempted: Map<number, WalEntry>;
  /** Highest id acknowledged by flush, flushAndSync or publish. */
  acknowledged: number;
  /** Marker id of an acknowledged publish. */
  publishedMarker: number;
  /** The first rejection, and in which step. */
  failure: { error: unknown; step: string } | undefined;
  /** The writer, if it was opened. */
  wal: WalWriter<WalEntry> | undefined;
  /** Rejections of the concurrent group (append, flushAndSync, append, flushAndSync), if it ran. */
  group: PromiseSettledResult<unknown>[] | undefined;
}

async function runWorkload(dir: FsDirectory): Promise<Outcome> {
  const out: Outcome = {
    attempted: new Map(),
    acknowledged: 0,
    publishedMarker: 0,
    failure: undefined,
    wal: undefined,
    group: undefined,
  };
  const reference = new SegmentIndex();
  const generator = new EntryGenerator(prng(7));
  let next = 1;
  const entry = (): WalEntry => {
    const e = generator.next(next);
    out.attempted.set(next, e);
    reference.apply(e, next);
    next++;
    return e;
  };
  const step = async (name: string, action: () => Promise<unknown>): Promise<boolean> => {
    try {
      await action();
      return true;
    } catch (error) {
      out.failure = { error, step: name };
      return false;
    }
  };
  const last = () => next - 1;
  const appendN = (n: number) => async () => {
    for (let i = 0; i < n; i++) await out.wal!.append(entry());
  };
  const flush = (durable: boolean) => async () => {
    const through = last();
    await (durable ? out.wal!.flushAndSync() : out.wal!.flush());
    out.acknowledged = through;
  };
  const ok =
    (await step('create', async () => {
      out.wal = await WalWriter.create<WalEntry>(dir, { schema, segmentSizeBytes: SEGMENT_SIZE_BYTES });
    })) &&
    (await step('append', appendN(3))) &&
    (await step('flush', flush(false))) &&
    (await step('appendBatch', () => out.wal!.appendBatch([entry(), entry(), entry(), entry()]))) &&
    (await step('flushAndSync', flush(true))) &&
    (await step('append (rotation)', appendN(6))) &&
    (await step('flush (rotation)', flush(false))) &&
    (await step('concurrent durable appends', async () => {
      const wal = out.wal!;
      const firstThrough = next;
      // The second flushAndSync arrives while the first round's I/O is in flight, so it waits in the next
      // round: when the first fails, it is a pending durable append that must reject too.
      const calls = [wal.append(entry()), wal.flushAndSync()];
      await new Promise((resolve) => setImmediate(resolve));
      calls.push(wal.append(entry()), wal.flushAndSync());
      out.group = await Promise.allSettled(calls);
      if (out.group[1]!.status === 'fulfilled') out.acknowledged = firstThrough;
      if (out.group[3]!.status === 'fulfilled') out.acknowledged = firstThrough + 1;
      const rejected = out.group.find((r) => r.status === 'rejected');
      if (rejected) throw rejected.reason;
    })) &&
    (await step('publish', async () => {
      const lastAppliedId = last();
      const state = reference.toRecoveredState(lastAppliedId);
      // The marker's id is the next one; record it as attempted before the call.
      const marker: WalEntry = {
        type: 'Checkpoint',
        checkpointPath: checkpointPathFor(lastAppliedId),
        lastEntryId: lastAppliedId,
      };
      out.attempted.set(next, marker);
      reference.apply(marker, next);
      next++;
      const result = await new CheckpointPublisher(dir).publish(
        out.wal!,
        state,
        lastAppliedId,
        marker.checkpointPath,
      );
      expect(result.markerEntryId).toBe(next - 1);
      expect(result.truncation.deletedSegmentIds.length).toBeGreaterThan(0);
      out.acknowledged = result.markerEntryId;
      out.publishedMarker = result.markerEntryId;
    })) &&
    (await step('append after publish', appendN(2))) &&
    (await step('flushAndSync after publish', flush(true)));
  if (ok) await step('close', () => out.wal!.close());
  return out;
}

/** Probes a writer after a failure: every call must reject with `poison` itself. */
async function expectPoisoned(wal: WalWriter<WalEntry>, poison: unknown): Promise<void> {
  const probe: WalEntry = { type: 'AddSegment', segmentId: 1_000_000, docCount: 1 };
  await expect(wal.append(probe)).rejects.toBe(poison);
  await expect(wal.appendBatch([probe])).rejects.toBe(poison);
  await expect(wal.flush()).rejects.toBe(poison);
  await expect(wal.flushAndSync()).rejects.toBe(poison);
  // close still releases the lock, and reports the cause.
  await expect(wal.close()).rejects.toBe(poison);
}

async function tempFilesUnder(root: string): Promise<string[]> {
  const found: string[] = [];
  for (const sub of ['', 'wal', 'checkpoints']) {
    for (const name of await namesOnDisk(sub ? `${root}/${sub}` : root)) {
      if (isTempFileName(name)) found.push(`${sub}/${name}`);
    }
  }
  return found;
}

describe('WAL under injected fs faults (real files, every call index)', () => {
  it('fails stop, loses nothing acknowledged, and leaves nothing a strict replay would misread', async () => {
    // Dry run: how many calls of each kind the workload makes.
    const dry: FsCall[] = [];
    const dryRoot = await tempDir();
    const dryOut = await runWorkload(
      new FsDirectory(dryRoot, {
        ops: interceptFsOps(nodeFsOps, (call, proceed) => {
          dry.push(call);
          return proceed();
        }),
      }),
    );
    expect(dryOut.failure).toBeUndefined();
    const rotations = (await new WalReader(new FsDirectory(dryRoot)).replayEach(() => {})).segmentId;
    expect(rotations).toBeGreaterThan(2);

    const outcomes: Record<string, Record<string, number>> = {};
    let cases = 0;
    /** Cases where a flushAndSync queued behind a failing round rejected with the same error. */
    let pendingRejected = 0;
    for (const kind of KINDS) {
      const total = dry.filter((c) => kind.matches(c)).length;
      expect(total, kind.name).toBeGreaterThan(0);
      const tally: Record<string, number> = {};
      outcomes[`${kind.name} (${total} calls)`] = tally;
      for (let index = 0; index < total; index++) {
        const label = `${kind.name} at call ${index} of ${total}`;
        const root = await tempDir();
        let seen = 0;
        let injected: FsCall | undefined;
        const ops = interceptFsOps(nodeFsOps, (call, proceed) => {
          if (!kind.matches(call)) return proceed();
          if (seen++ !== index) return proceed();
          injected = call;
          return kind.inject(call, proceed);
        });
        const out = await runWorkload(new FsDirectory(root, { ops }));
        cases++;
        expect(injected, label).toBeDefined();
        const where = injected!.path.slice(root.length + 1);

        // The failure surfaced (no fault is swallowed into a false success) with the injected errno.
        expect(out.failure, `${label} (${where}): the workload succeeded`).toBeDefined();
        const { error, step } = out.failure!;
        expect((error as { errno?: string }).errno, label).toBe(
          kind.name.includes('ENOSPC') ? 'ENOSPC' : 'EIO',
        );

        let outcome: string;
        if (!out.wal) {
          outcome = 'create failed';
        } else {
          const writerFailed = await out.wal.flush().then(
            () => false,
            (e: unknown) => {
              expect(e, `${label}: a later call rejected with a different error`).toBe(error);
              return true;
            },
          );
          // The writer's own calls on a segment (write, fdatasync) must poison it. (An fsync of a segment
          // through another descriptor is WalMaintenance.truncatePrefix's, during publish step 3.)
          const writerCall = injected!.op === 'fh.write' || injected!.op === 'fh.datasync';
          if (writerCall && /^wal\/wal_\d+\.log$/.test(where)) {
            expect(writerFailed, `${label} on ${where}`).toBe(true);
          }
          if (writerFailed) {
            await expectPoisoned(out.wal, error);
            // The concurrent group: every rejection in it is that object, and once a durable append
            // (flushAndSync) failed, the later one did not succeed. (`append` resolves on buffering,
            // before any I/O: it acknowledges nothing.)
            const group = out.group ?? [];
            for (const r of group) if (r.status === 'rejected') expect(r.reason, label).toBe(error);
            if (group[1]?.status === 'rejected') {
              expect(group[3]?.status, label).toBe('rejected');
              pendingRejected++;
            }
            outcome = 'writer failed stop';
          } else {
            // Only a publisher step outside the writer failed (checkpoint file, truncation): the writer is
            // healthy and the WAL still holds everything.
            expect(step, label).toBe('publish');
            await out.wal.close();
            outcome = 'publish failed, writer healthy';
          }
        }
        const key = `${outcome} (in ${step})`;
        tally[key] = (tally[key] ?? 0) + 1;

        // Resume on a clean directory over the same root.
        const clean = new FsDirectory(root);
        const wal = await WalWriter.resume<WalEntry>(clean, { schema, segmentSizeBytes: SEGMENT_SIZE_BYTES });
        const last = wal.lastEntryId ?? 0;
        expect(last, `${label}: acknowledged through ${out.acknowledged}`).toBeGreaterThanOrEqual(
          out.acknowledged,
        );
        expect(wal.lockTakeover, label).toBeUndefined();
        const extra: WalEntry = { type: 'AddSegment', segmentId: 1_000_000 + last, docCount: 1 };
        expect(await wal.append(extra)).toBe(last + 1);
        await wal.flushAndSync();
        await wal.close();

        const records = await new WalReader<WalEntry>(clean, { schema }).replay({ mode: 'strict' });
        expect(records.at(-1)?.entryId, label).toBe(last + 1);
        for (const { entryId, payload } of records.slice(0, -1)) {
          expect(payload, `${label}: entry ${entryId}`).toEqual(out.attempted.get(entryId));
        }
        expect(await tempFilesUnder(root), label).toEqual([]);

        const reference = new SegmentIndex();
        for (let id = 1; id <= last; id++) reference.apply(out.attempted.get(id)!, id);
        reference.apply(extra, last + 1);
        const recovered = await new RecoveryManager(clean).recoverLatest();
        expect(RecoveryManager.toCheckpointState(recovered), label).toEqual(reference.toCheckpointState());
        expect(recovered.checkpoint?.markerEntryId ?? 0, label).toBeGreaterThanOrEqual(out.publishedMarker);
      }
    }
    console.info(
      `WAL fault injection: ${cases} cases, ${pendingRejected} with a pending durable append rejected; ${JSON.stringify(outcomes)}`,
    );
    expect(cases).toBeGreaterThan(50);
    expect(pendingRejected).toBeGreaterThan(0);
  }, 120_000);
});
