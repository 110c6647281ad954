import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { FsDirectory } from '@durability/backend-fs';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CheckpointFile,
  CheckpointPublisher,
  checkpointPathFor,
  type Directory,
  RecoveryManager,
  type SegmentIndexCheckpoint,
  type WalEntry,
  WalMaintenance,
  WalWriter,
  walEntrySchema,
} from '../src/index.js';
import { prng, ReferenceModel, SegmentWorkload, summary } from './support/segment-workload.js';
import { type DurableImage, SyncTrackingDirectory } from './support/sync-tracking-directory.js';

/**
 * Power loss at every step of a workload with periodic publishes, on the fs backend. The "disk" after
 * each crash is what the Directory contract says survived (SyncTrackingDirectory): synced bytes, synced
 * directory entries, nothing else. Each distinct image is materialised into a fresh directory and must
 * recover (best-effort `recoverLatest`) to exactly the state after some prefix of the appended
 * entries that includes every entry acknowledged durable; a writer resuming it must continue above
 * every id the WAL and every checkpoint in it have used. Variants of the publisher that skip a sync are
 * run through the same loop and must be caught.
 */

const SOAK = process.env.DURABILITY_SOAK === '1';
const roots: string[] = [];
afterAll(() => Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true }))));

async function tempRoot(prefix: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), prefix));
  roots.push(root);
  return root;
}

type Publish = (
  dir: Directory,
  wal: WalWriter<WalEntry>,
  state: SegmentIndexCheckpoint,
  lastAppliedId: number,
  path: string,
) => Promise<void>;

const marker = (path: string, lastEntryId: number): WalEntry => ({
  type: 'Checkpoint',
  checkpointPath: path,
  lastEntryId,
});

/** The publisher under test. */
const correct: Publish = async (dir, wal, state, lastAppliedId, path) => {
  await new CheckpointPublisher(dir).publish(wal, state, lastAppliedId, path);
};

/** Broken on purpose: the marker is flushed, not synced, before segments are deleted. */
const skipsMarkerSync: Publish = async (dir, wal, state, lastAppliedId, path) => {
  await wal.flushAndSync();
  await new CheckpointFile<unknown>(dir).writeDurable(path, state, lastAppliedId);
  await wal.append(marker(path, lastAppliedId));
  await wal.flush();
  await new WalMaintenance(dir).truncatePrefix(lastAppliedId);
};

/** Broken on purpose: the checkpoint is published with atomicWrite (no durable directory entry). */
const skipsCheckpointSync: Publish = async (dir, wal, state, lastAppliedId, path) => {
  await wal.flushAndSync();
  await new CheckpointFile<unknown>(dir).write(path, state, lastAppliedId);
  await wal.append(marker(path, lastAppliedId));
  await wal.flushAndSync();
  await new WalMaintenance(dir).truncatePrefix(lastAppliedId);
};

/** Broken on purpose: no WAL sync before the checkpoint, so it can get ahead of the durable WAL. */
const skipsWalSync: Publish = async (dir, wal, state, lastAppliedId, path) => {
  await new CheckpointFile<unknown>(dir).writeDurable(path, state, lastAppliedId);
  await wal.append(marker(path, lastAppliedId));
  await wal.flushAndSync();
  await new WalMaintenance(dir).truncatePrefix(lastAppliedId);
};

interface Config {
  seed: number;
  rounds: number;
  /** Checkpoint this many entries behind the WAL's end. */
  lag: number;
  /** Always publish to one path (overwriting) instead of one file per id. */
  fixedPath: boolean;
}

/** Runs the workload on a tracked fs directory; returns the durable image after every call. */
async function workload(publish: Publish, config: Config) {
  const tracker = new SyncTrackingDirectory(new FsDirectory(await tempRoot('durability-crash-work-')));
  const wal = await WalWriter.create<WalEntry>(tracker, { schema: walEntrySchema, segmentSizeBytes: 200 });
  const workload = new SegmentWorkload();
  const reference = new ReferenceModel();
  const random = prng(config.seed);
  let publishes = 0;
  for (let round = 0; round < config.rounds; round++) {
    const count = 2 + (random() % 4);
    for (let i = 0; i < count; i++) {
      const entry = workload.next(random(), random(), random());
      reference.apply(entry, await wal.append(entry));
    }
    if (random() % 3 === 0) await wal.flush();
    else {
      await wal.flushAndSync();
      tracker.acknowledge(wal.lastEntryId!);
    }
    if (round % 3 === 2) {
      const lastAppliedId = Math.max(0, reference.lastEntryId - config.lag);
      const path = config.fixedPath ? 'checkpoints/current.vckp' : checkpointPathFor(lastAppliedId);
      await publish(tracker, wal, reference.states[lastAppliedId]!, lastAppliedId, path);
      reference.apply(marker(path, lastAppliedId), wal.lastEntryId!);
      tracker.acknowledge(wal.lastEntryId!); // a resolved publish promises its marker is durable
      publishes++;
    }
  }
  await wal.close();
  return { images: tracker.images, reference, publishes };
}

/** The images worth recovering: one per run of identical durable states (the strongest acknowledgement). */
function distinct(images: DurableImage[]): DurableImage[] {
  const out: DurableImage[] = [];
  for (const image of images) {
    const last = out.at(-1);
    const same =
      last !== undefined &&
      last.files.size === image.files.size &&
      [...image.files].every(([path, bytes]) => last.files.get(path) === bytes);
    if (same) out[out.length - 1] = image;
    else out.push(image);
  }
  return out;
}

interface Verdict {
  problem?: string;
  /** Recovered from a checkpoint over a WAL whose head was truncated. */
  truncated?: boolean;
}

/** Recovers one image; says what is wrong with it, if anything. */
async function check(image: DurableImage, reference: ReferenceModel, parent: string): Promise<Verdict> {
  const root = await SyncTrackingDirectory.materialise(image, parent);
  const where = `after call ${image.afterCalls} (${image.call})`;
  try {
    const dir = new FsDirectory(root);
    let recovered: Awaited<ReturnType<RecoveryManager['recoverLatest']>>;
    try {
      recovered = await new RecoveryManager(dir).recoverLatest({ mode: 'best-effort' });
    } catch (error) {
      return { problem: `${where}: recovery failed: ${(error as Error).message}` };
    }
    const k = recovered.lastEntryId;
    if (k < image.acknowledged)
      return { problem: `${where}: lost acknowledged entries ${k + 1}..${image.acknowledged}` };
    if (k > reference.lastEntryId) return { problem: `${where}: recovered entry ${k}, never appended` };
    if (!isDeepStrictEqual(summary(recovered).state, reference.states[k])) {
      return { problem: `${where}: the state is not the state after entries 1..${k}` };
    }
    // No id reuse: a resumed writer continues above the WAL and above every checkpoint on disk.
    const wal = await WalWriter.resume<WalEntry>(dir, { schema: walEntrySchema });
    const next = await wal.append({ type: 'AddSegment', segmentId: 1e9, docCount: 1 });
    await wal.close();
    if (next !== k + 1) return { problem: `${where}: resumed writer assigned ${next}, expected ${k + 1}` };
    for (const name of await dir.list('checkpoints')) {
      if (name.includes('.durability-tmp-')) continue;
      const { lastAppliedId } = await new CheckpointFile(dir).read(`checkpoints/${name}`);
      if (next <= lastAppliedId)
        return { problem: `${where}: id ${next} reused: ${name} covers ${lastAppliedId}` };
    }
    return { truncated: recovered.checkpoint !== undefined && (recovered.report.firstEntryId ?? 1) > 1 };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Checks every distinct image; stops at the first problem when `stopEarly`. */
async function crashLoop(publish: Publish, config: Config, stopEarly: boolean) {
  const { images, reference, publishes } = await workload(publish, config);
  const parent = await tempRoot('durability-crash-images-');
  const states = distinct(images);
  const failures: string[] = [];
  let checked = 0;
  let truncated = 0;
  for (const image of states) {
    const verdict = await check(image, reference, parent);
    checked++;
    if (verdict.truncated) truncated++;
    if (verdict.problem) {
      failures.push(verdict.problem);
      if (stopEarly) break;
    }
  }
  return {
    crashPoints: images.length,
    distinct: states.length,
    checked,
    truncated,
    failures,
    publishes,
    entries: reference.lastEntryId,
  };
}

const configs: Config[] = [
  { seed: 1, rounds: SOAK ? 60 : 12, lag: 3, fixedPath: false },
  { seed: 2, rounds: SOAK ? 60 : 12, lag: 0, fixedPath: true },
  ...(SOAK
    ? [3, 4, 5, 6].map((seed) => ({ seed, rounds: 60, lag: seed % 4, fixedPath: seed % 2 === 0 }))
    : []),
];

describe('crash loop: power loss at every step of a workload with publishes (fs, sync-tracked)', () => {
  it.each(configs)(
    'every crash image recovers a complete prefix with every acknowledged entry, and ids continue (seed $seed, lag $lag, fixed path $fixedPath)',
    async (config) => {
      const result = await crashLoop(correct, config, false);
      console.info(
        `[crash loop] seed ${config.seed}: ${result.entries} entries, ${result.publishes} publishes, ${result.crashPoints} crash points, ${result.checked} distinct durable states recovered (${result.truncated} from a checkpoint over a truncated WAL)`,
      );
      expect(result.failures).toEqual([]);
      expect(result.truncated).toBeGreaterThan(result.checked / 4); // not vacuous: most recoveries need a checkpoint
      expect(result.publishes).toBeGreaterThanOrEqual(4);
    },
  );

  const broken: [string, Publish, Config, RegExp][] = [
    [
      'skips the marker sync before deleting segments',
      skipsMarkerSync,
      configs[0]!,
      /no checkpoint covers|entries in between are missing/,
    ],
    [
      'publishes the checkpoint without a durable directory entry',
      skipsCheckpointSync,
      configs[0]!,
      /no such file|ENOENT|NotFound|not found/i,
    ],
    [
      'writes the checkpoint before the WAL entries it covers are durable',
      skipsWalSync,
      configs[1]!,
      /ahead of the WAL/,
    ],
  ];
  it.each(broken)('catches a publisher that %s', async (_, publish, config, symptom) => {
    const result = await crashLoop(publish, config, true);
    expect(result.failures.length).toBe(1);
    expect(result.failures[0]).toMatch(symptom);
    console.info(`[crash loop] caught after ${result.checked} states: ${result.failures[0]}`);
  });
});
