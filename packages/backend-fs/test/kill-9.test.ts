import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type LockOwner,
  RecoveryManager,
  SegmentIndex,
  type WalEntry,
  WalReader,
  WalWriter,
  walEntrySchema,
} from '@durability/core';
import { describe, expect, it } from 'vitest';
import { FsDirectory } from '../src/index.js';
import { type Child, killHard, spawnChild } from './crash/crash-harness.js';
import type { ChildMessage } from './crash/wal-child.js';
import { EntryGenerator, prng, runSeed } from './crash/workload.js';
import { tempDir } from './helpers.js';

/**
 * Real process crashes: a child process (wal-child.ts, the package sources through tsx) appends to a WAL
 * on disk and reports every acknowledgement over IPC; the parent SIGKILLs it at a random moment, then
 * checks and resumes the WAL here, in the parent, before the next child continues it.
 *
 * A process crash keeps the OS page cache, so everything `flush()` or `flushAndSync()` acknowledged must
 * be there (ARCHITECTURE §4, durability ladder). Power loss is not simulated here (see the conformance
 * crash contracts for that).
 *
 * DURABILITY_KILLS=N runs N kills instead of 50; DURABILITY_SEED=S replays a printed seed (the workload and
 * the kill delays; the exact instant the signal lands still depends on scheduling).
 */

const KILLS = Number(process.env.DURABILITY_KILLS ?? 50);
const SEGMENT_SIZE_BYTES = 512;
const schema = walEntrySchema;

interface Stats {
  kills: number;
  killedBeforeReady: number;
  acknowledgedChecked: number;
  entriesRecovered: number;
  entriesLostUnacknowledged: number;
  publishesAttempted: number;
  publishesAcknowledged: number;
  markersRecovered: number;
  takeovers: number;
  /** How the parent's resume found the WAL each time (`clean-end`, `torn-tail`, ...). */
  resumeFound: Record<string, number>;
}

async function readJournal(path: string): Promise<Map<number, WalEntry>> {
  const attempted = new Map<number, WalEntry>();
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return attempted;
  }
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const { id, entry } = JSON.parse(line) as { id: number; entry: WalEntry };
    attempted.set(id, entry);
  }
  return attempted;
}

async function lockOwnerOnDisk(root: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await readFile(join(root, 'wal', '.lock'), 'utf8')) as LockOwner;
  } catch {
    return undefined;
  }
}

describe('kill -9 loop (real processes, real files)', () => {
  it(
    `every flushed or synced entry survives ${KILLS} SIGKILLs; replay is a prefix; ids continue; publishes hold`,
    async () => {
      const seed = runSeed();
      const random = prng(seed);
      const base = await tempDir();
      const root = join(base, 'db');
      const journal = join(base, 'journal.jsonl');
      await mkdir(root);
      const dir = new FsDirectory(root);
      /** Entry id → entry, of every entry ever recovered (the model of the stream). */
      const model = new Map<number, WalEntry>();
      const reference = new SegmentIndex();
      let modelLast = 0;
      let newestMarker = 0;
      let newestAckedMarker = 0;
      const stats: Stats = {
        kills: 0,
        killedBeforeReady: 0,
        acknowledgedChecked: 0,
        entriesRecovered: 0,
        entriesLostUnacknowledged: 0,
        publishesAttempted: 0,
        publishesAcknowledged: 0,
        markersRecovered: 0,
        takeovers: 0,
        resumeFound: {},
      };
      const started = Date.now();
      let kill = 0;
      let child: Child | undefined;
      let sourcesChecked = false;
      try {
        for (kill = 1; kill <= KILLS; kill++) {
          await writeFile(journal, '');
          child = spawnChild([
            'workload',
            root,
            journal,
            String((random() * 2 ** 32) >>> 0),
            String(SEGMENT_SIZE_BYTES),
          ]);
          // Mostly a random moment in the append loop; sometimes a random moment from spawn (in startup,
          // during its resume, or in the loop).
          const early = random() < 0.15;
          const delay = early ? random() * 700 : random() * 100;
          if (!early) await child.waitFor((m) => m.type === 'ready');
          await sleep(delay);
          const before = child.process.exitCode;
          expect(before, `child exited by itself:\n${child.stderr()}`).toBeNull();
          await killHard(child);
          expect((await child.closed).signal, child.stderr()).toBe('SIGKILL');
          stats.kills++;

          const ready = child.messages.find((m) => m.type === 'ready');
          if (!ready) stats.killedBeforeReady++;
          if (ready?.type === 'ready' && !sourcesChecked) {
            // The child ran the workspace sources, not a build in dist/.
            expect(ready.resolved.core).toMatch(/\/packages\/durability-core\/src\/index\.ts$/);
            expect(ready.resolved.fs).toMatch(/\/packages\/backend-fs\/src\/index\.ts$/);
            sourcesChecked = true;
          }
          if (ready?.type === 'ready') expect(ready.lastEntryId).toBe(modelLast);
          const acks = child.messages.filter(
            (m): m is Extract<ChildMessage, { type: 'ack' }> => m.type === 'ack',
          );
          const mustSurvive = Math.max(
            0,
            ...acks
              .filter((a) => a.op === 'flush' || a.op === 'sync' || a.op === 'publish')
              .map((a) => a.through),
          );
          for (const a of acks) {
            if (a.op === 'publish') {
              stats.publishesAcknowledged++;
              newestAckedMarker = Math.max(newestAckedMarker, a.markerEntryId);
            }
          }
          const attempted = await readJournal(journal);
          const maxAttempted = Math.max(modelLast, ...attempted.keys());
          stats.publishesAttempted += [...attempted.values()].filter((e) => e.type === 'Checkpoint').length;

          // 1. Before any repair: best-effort replay is a prefix of what was attempted.
          const records = await new WalReader<WalEntry>(dir, { schema }).replay({ mode: 'best-effort' });
          const report = await new WalReader<WalEntry>(dir, { schema }).replayEach(() => {}, {
            mode: 'best-effort',
          });
          const last = report.lastEntryId ?? (report.nextEntryId ?? 1) - 1;
          for (let i = 0; i < records.length; i++) {
            const { entryId, payload } = records[i]!;
            if (i > 0) expect(entryId).toBe(records[i - 1]!.entryId + 1);
            const expected = entryId <= modelLast ? model.get(entryId) : attempted.get(entryId);
            expect(expected, `entry ${entryId} was never attempted`).toBeDefined();
            expect(payload, `entry ${entryId}`).toEqual(expected);
          }
          expect(last).toBeGreaterThanOrEqual(modelLast);
          expect(last).toBeLessThanOrEqual(maxAttempted);
          // 2. Nothing acknowledged by flush, flushAndSync or publish is lost.
          expect(
            last,
            `acknowledged through ${mustSurvive}, recovered through ${last}`,
          ).toBeGreaterThanOrEqual(mustSurvive);
          stats.acknowledgedChecked += Math.max(0, mustSurvive - modelLast);
          stats.entriesRecovered += last - modelLast;
          stats.entriesLostUnacknowledged += maxAttempted - last;

          // 3. Resume here: the stale lock of the dead child is taken over and reported; ids continue.
          const owner = await lockOwnerOnDisk(root);
          const wal = await WalWriter.resume<WalEntry>(dir, { schema, segmentSizeBytes: SEGMENT_SIZE_BYTES });
          if (owner?.pid === child.pid) {
            stats.takeovers++;
            expect(wal.lockTakeover?.previousOwner.pid).toBe(child.pid);
            expect(wal.lockTakeover?.reason).toBe('owner-process-gone');
            expect(wal.lockTakeover?.message).toContain(`pid ${child.pid}`);
          } else {
            expect(owner).toBeUndefined();
            expect(wal.lockTakeover).toBeUndefined();
          }
          expect(wal.lastEntryId ?? 0).toBe(last);
          const found = wal.resumeReport?.reason ?? 'none';
          stats.resumeFound[found] = (stats.resumeFound[found] ?? 0) + 1;
          for (let id = modelLast + 1; id <= last; id++) {
            const entry = attempted.get(id)!;
            model.set(id, entry);
            reference.apply(entry, id);
            if (entry.type === 'Checkpoint') {
              newestMarker = id;
              stats.markersRecovered++;
            }
          }
          modelLast = last;
          const generator = new EntryGenerator(random, reference.toRecoveredState(last).segments);
          const next = generator.next(last + 1);
          expect(await wal.append(next)).toBe(last + 1);
          await wal.flush();
          await wal.close();
          model.set(last + 1, next);
          reference.apply(next, last + 1);
          modelLast = last + 1;

          // 4. After resume the WAL is clean: strict replay returns exactly the model's suffix.
          const strict = await new WalReader<WalEntry>(dir, { schema }).replay();
          expect(strict.at(-1)?.entryId).toBe(modelLast);
          for (const { entryId, payload } of strict) expect(payload).toEqual(model.get(entryId));

          // 5. recoverLatest never loses published state: it starts from the newest marker (at least the
          // newest acknowledged one) and reaches exactly the reference index.
          const recovered = await new RecoveryManager(dir).recoverLatest();
          expect(recovered.lastEntryId).toBe(modelLast);
          expect(RecoveryManager.toCheckpointState(recovered)).toEqual(reference.toCheckpointState());
          expect(newestMarker).toBeGreaterThanOrEqual(newestAckedMarker);
          expect(recovered.checkpoint?.markerEntryId ?? 0).toBe(newestMarker);
        }
      } catch (error) {
        throw new Error(
          `kill-9 loop failed at kill ${kill} of ${KILLS}; reproduce with DURABILITY_SEED=${seed}: ${(error as Error).message}`,
          { cause: error },
        );
      } finally {
        // Never leave a child running when an assertion failed mid-generation.
        if (child && child.process.exitCode === null && child.process.signalCode === null)
          await killHard(child);
        await rm(base, { recursive: true, force: true });
      }
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.info(`kill-9 loop (seed ${seed}): ${JSON.stringify(stats)} in ${seconds} s`);
      expect(stats.kills).toBe(KILLS);
      expect(sourcesChecked).toBe(true);
      expect(stats.acknowledgedChecked).toBeGreaterThan(0);
    },
    Math.max(180_000, KILLS * 2_000),
  );
});
