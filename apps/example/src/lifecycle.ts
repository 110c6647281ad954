import {
  CheckpointPublisher,
  checkpointPathFor,
  type Directory,
  RecoveryManager,
  TornTailError,
  type WalEntry,
  WalMaintenance,
  WalReader,
  WalWriter,
  walEntrySchema,
} from '@durability/core';
import type { ExampleBackend } from './backends.js';
import { CRASH_SEGMENT_BASE, catalogDay, crashEntryFor, WAL_OPTIONS } from './catalog.js';
import type { CrashOutcome } from './crash.js';

/** What the run established; every field was checked before `runLifecycle` resolved. */
export interface LifecycleSummary {
  backend: string;
  /** Entries of the first day, and how many WAL segments they filled. */
  dayEntries: number;
  daySegments: number;
  checkpointPath: string;
  segmentsTruncated: number;
  crash: CrashOutcome;
  /** The last entry id recovered after the crash (best-effort replay). */
  recoveredLastEntryId: number;
  /** Bytes of torn tail the best-effort replay dropped (and resume then cut). */
  tornBytes: number;
  /** Segments in the catalog recovered from checkpoint + WAL. */
  catalogSegments: number;
  /** The id `resume` continued with. */
  resumedNextEntryId: number;
}

/** A promise of the library that did not hold: the example exits non-zero. */
export class LifecycleViolation extends Error {
  override readonly name = 'LifecycleViolation';
}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new LifecycleViolation(message);
}

/**
 * The whole lifecycle on one backend: write a day of catalog entries (flush vs sync), publish a
 * checkpoint and truncate the WAL, crash a writer mid-write, recover, and check that every acknowledged
 * entry is back, the recovered stream is a prefix of what was appended, and `resume` continues it.
 */
export async function runLifecycle(
  backend: ExampleBackend,
  say: (line: string) => void = console.log,
): Promise<LifecycleSummary> {
  say(`backend: ${backend.description}`);
  await backend.reset();
  const dir = backend.open();

  // 1. A day of the catalog.
  const wal = await WalWriter.create<WalEntry>(dir, WAL_OPTIONS);
  const day = catalogDay();
  for (const entry of day.slice(0, 6)) await wal.append(entry);
  await wal.flush();
  say(`1. appended 6 AddSegment entries and flushed: ${backend.flushMeaning}`);
  for (const entry of day.slice(6)) await wal.append(entry);
  await wal.flushAndSync();
  const segments = await new WalMaintenance(dir).segments();
  // What a completed flushAndSync promises is the backend's to say (`durableSync`), not the example's.
  const synced = dir.capabilities.durableSync
    ? 'on stable storage (they survive power loss)'
    : 'flushed (this backend promises no stable storage)';
  say(
    `   appended deletes and a merge, then flushAndSync: entries 1..${wal.lastEntryId} are ${synced},` +
      ` in ${segments.length} WAL segments`,
  );

  // 2. Checkpoint the catalog, then let the WAL drop what the checkpoint covers.
  const manager = new RecoveryManager(dir);
  const catalog = await manager.recover();
  const published = await new CheckpointPublisher(dir).publish(
    wal,
    catalog,
    catalog.lastEntryId,
    checkpointPathFor(catalog.lastEntryId),
  );
  const remaining = await new WalMaintenance(dir).segments();
  say(
    `2. published ${published.checkpointPath} (through entry ${published.lastAppliedId}), marker = entry ` +
      `${published.markerEntryId}; truncation deleted ${published.truncation.deletedSegmentIds.length} segment(s), ` +
      `${remaining.length} remain`,
  );
  check(
    published.truncation.deletedSegmentIds.length > 0,
    'truncation should have deleted the covered segments',
  );
  await wal.close();
  const beforeCrash = published.markerEntryId;

  // 3. Crash a writer in the middle of its work.
  const crash = await backend.crashWriter();
  say(
    `3. ${crash.how}: the writer had acknowledged entries through ${crash.lastFlushed} as flushed and ` +
      `through ${crash.lastSynced} as synced`,
  );

  // 4. Recover from what the crash left.
  const after = crash.directory;
  const strict = await replayStrict(after);
  say(`4. strict replay: ${strict}`);
  const { lastEntryId, tornBytes, reason } = await verifyReplay(after, beforeCrash, crash.firstEntryId);
  say(
    `   best-effort replay: a clean prefix through entry ${lastEntryId} (stopped: ${reason}, ` +
      `${tornBytes} torn byte(s) dropped); every entry matches what was appended`,
  );
  check(
    lastEntryId >= crash.lastSynced,
    `synced entry ${crash.lastSynced} was lost (recovered ${lastEntryId})`,
  );
  if (crash.flushSurvives) {
    check(
      lastEntryId >= crash.lastFlushed,
      `flushed entry ${crash.lastFlushed} was lost in a process crash (recovered ${lastEntryId})`,
    );
  }
  say(
    `   every synced entry is back${crash.flushSurvives ? ', and every flushed one (a process crash keeps them)' : ''}`,
  );
  const recovered = await new RecoveryManager(after).recoverLatest({ mode: 'best-effort' });
  checkCatalog(recovered.segments, lastEntryId, crash.firstEntryId);
  say(
    `   recoverLatest: checkpoint ${recovered.checkpoint?.path} + ${recovered.report.entriesReplayed} WAL ` +
      `entries = ${recovered.segments.length} catalog segments (the merge of 1 and 2 into 7 included)`,
  );

  // 5. Resume: repair the tail and continue the ids.
  const resumed = await WalWriter.resume<WalEntry>(after, WAL_OPTIONS);
  const nextEntryId = (resumed.lastEntryId ?? 0) + 1;
  check(nextEntryId === lastEntryId + 1, `resume continued at ${nextEntryId}, expected ${lastEntryId + 1}`);
  await resumed.append(crashEntryFor(nextEntryId));
  await resumed.flushAndSync();
  await resumed.close();
  const clean = await replayStrict(after);
  check(clean === 'clean', `after resume the strict replay should be clean, got: ${clean}`);
  say(
    `5. resume ${tornBytes > 0 ? `cut the ${tornBytes}-byte torn tail and ` : ''}continued at entry ` +
      `${nextEntryId}; strict replay is clean again`,
  );

  return {
    backend: backend.name,
    dayEntries: day.length,
    daySegments: segments.length,
    checkpointPath: published.checkpointPath,
    segmentsTruncated: published.truncation.deletedSegmentIds.length,
    crash,
    recoveredLastEntryId: lastEntryId,
    tornBytes,
    catalogSegments: recovered.segments.length,
    resumedNextEntryId: nextEntryId,
  };
}

/** 'clean', or why a strict replay refused (a torn tail is the only refusal a crash may cause). */
async function replayStrict(dir: Directory): Promise<string> {
  try {
    await new WalReader<WalEntry>(dir, { schema: walEntrySchema }).replayEach(() => undefined);
    return 'clean';
  } catch (error) {
    check(
      TornTailError.is(error),
      `strict replay failed with something other than a torn tail: ${String(error)}`,
    );
    return `refuses the torn tail (${error.message})`;
  }
}

/**
 * Best-effort replay of what the crash left: ids contiguous, and every entry the crashing writer appended
 * (ids from `firstCrashId`) equal to `crashEntryFor(id)`. Entries through `beforeCrash` were written
 * before the crash and must all be there.
 */
async function verifyReplay(
  dir: Directory,
  beforeCrash: number,
  firstCrashId: number,
): Promise<{ lastEntryId: number; tornBytes: number; reason: string }> {
  let expectedId: number | undefined;
  const report = await new WalReader<WalEntry>(dir, { schema: walEntrySchema }).replayEach(
    ({ entryId, payload }) => {
      check(
        expectedId === undefined || entryId === expectedId,
        `entry ${entryId} follows ${expectedId! - 1}: a gap`,
      );
      expectedId = entryId + 1;
      if (entryId >= firstCrashId) {
        const want = JSON.stringify(crashEntryFor(entryId));
        check(
          JSON.stringify(payload) === want,
          `entry ${entryId} is ${JSON.stringify(payload)}, appended ${want}`,
        );
      }
    },
    { mode: 'best-effort' },
  );
  const lastEntryId = report.lastEntryId ?? 0;
  check(
    lastEntryId >= beforeCrash,
    `entries up to ${beforeCrash} were durable before the crash; got ${lastEntryId}`,
  );
  return { lastEntryId, tornBytes: report.bytesDropped, reason: report.reason };
}

/** The recovered catalog holds the day's segments after the merge and one segment per crash entry. */
function checkCatalog(
  segments: readonly { segmentId: number; deletedDocs: ReadonlySet<number> }[],
  lastEntryId: number,
  firstCrashId: number,
): void {
  const ids = new Set(segments.map((s) => s.segmentId));
  for (const id of [3, 4, 5, 6, 7]) check(ids.has(id), `segment ${id} is missing from the recovered catalog`);
  check(!ids.has(1) && !ids.has(2), 'segments 1 and 2 were merged into 7 and must be gone');
  check(
    segments.find((s) => s.segmentId === 5)?.deletedDocs.has(42) === true,
    'the delete of doc 42 in segment 5 was lost',
  );
  for (let id = firstCrashId; id <= lastEntryId; id++) {
    check(ids.has(CRASH_SEGMENT_BASE + id), `segment of entry ${id} is missing from the recovered catalog`);
  }
  check(
    ids.size === 5 + Math.max(0, lastEntryId - firstCrashId + 1),
    'the recovered catalog has extra segments',
  );
}
