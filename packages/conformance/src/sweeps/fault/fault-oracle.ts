import {
  type Directory,
  DurabilityError,
  parseSegmentFileName,
  RecoveryManager,
  type WalEntry,
  WalReader,
  WalWriter,
} from '@durability/core';
import { describeError, sameValue } from '../values.js';
import type { CallRecord, FaultInjectingDirectory } from './fault-directory.js';
import { type WorkloadName, type WorkloadRun, writerOptions } from './workloads.js';

/** What one fault case showed. */
export interface FaultCaseVerdict {
  readonly problems: string[];
  /** The writer was poisoned (every probe call rejected). */
  poisoned: boolean;
  /** Durable appends pending at the failure that rejected with the poison. */
  pendingRejected: number;
}

/** A segment file's writer calls and creation belong to the WAL writer: a fault there must poison it. */
function writerOwned(call: CallRecord): boolean {
  const name = call.path.startsWith('wal/') ? call.path.slice(4) : undefined;
  let isSegment = false;
  try {
    isSegment = name !== undefined && parseSegmentFileName(name) !== undefined;
  } catch {
    isSegment = false;
  }
  return isSegment && (call.op.startsWith('writer.') || call.op === 'createFile' || call.op === 'appendFile');
}

const PROBE: WalEntry = { type: 'AddSegment', segmentId: 1_000_000_000, docCount: 1 };

/** Whether `error` is `injected` or carries it as its cause (directly or through a chain). */
function carries(error: unknown, injected: unknown): boolean {
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    if (e === injected) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

async function rejection(
  promise: Promise<unknown>,
): Promise<{ rejected: true; error: unknown } | { rejected: false }> {
  try {
    await promise;
    return { rejected: false };
  } catch (error) {
    return { rejected: true, error };
  }
}

/**
 * Judges one faulted run, then repairs and checks recovery on the un-faulted backend `inner`:
 * 1. the failing call rejected with a typed error that is (or carries) the injected fault;
 * 2. fail-stop: when the fault hit the writer's own I/O, every later call (`append`, `appendBatch`,
 *    `flush`, `flushAndSync`) and every durable call pending at the failure rejects with that same error
 *    object; in any case, once a writer is poisoned it stays poisoned with one error;
 * 3. `close()` releases the lock (it may reject with the poison);
 * 4. `WalWriter.resume(inner)` succeeds; strict replay is clean and returns contiguous ids ending at
 *    some k with acknowledged ≤ k ≤ attempted, each entry equal to the one appended with that id
 *    (W1 from id 1); `recoverLatest()` gives the reference index after k entries; the resumed writer's
 *    next id is k + 1.
 * Returns the problems found (empty when the case passes) and what was observed.
 */
export async function judgeFaultCase(
  workload: WorkloadName,
  run: WorkloadRun,
  faults: FaultInjectingDirectory,
  inner: Directory,
): Promise<FaultCaseVerdict> {
  const problems: string[] = [];
  const verdict: FaultCaseVerdict = { problems, poisoned: false, pendingRejected: 0 };
  const struck = faults.struck!;
  const failure = run.failure;
  if (failure === undefined) {
    problems.push(`the workload completed although ${struck.call.op} ${struck.call.path} failed`);
  } else {
    if (!DurabilityError.is(failure.error))
      problems.push(`${failure.step} rejected untyped: ${describeError(failure.error)}`);
    else if (!carries(failure.error, struck.error)) {
      problems.push(`${failure.step} rejected with ${describeError(failure.error)}, not the injected fault`);
    }
  }
  const wal = run.wal;
  if (wal !== undefined && failure !== undefined && failure.step !== 'close') {
    await checkFailStop(wal, failure.error, run, writerOwned(struck.call), verdict);
  }
  if (wal !== undefined) {
    const closed = await rejection(wal.close());
    if (
      closed.rejected &&
      failure !== undefined &&
      closed.error !== failure.error &&
      !DurabilityError.is(closed.error)
    ) {
      problems.push(`close rejected untyped: ${describeError(closed.error)}`);
    }
  }
  await checkRecovery(workload, run, inner, problems);
  return verdict;
}

async function checkFailStop(
  wal: WalWriter<WalEntry>,
  stepError: unknown,
  run: WorkloadRun,
  mustPoison: boolean,
  verdict: FaultCaseVerdict,
): Promise<void> {
  const { problems } = verdict;
  // `flush` first: it appends nothing, so a writer that is (rightly) still usable is not changed by the probe.
  const flushed = await rejection(wal.flush());
  if (!flushed.rejected) {
    if (mustPoison) problems.push('the writer accepted calls after its own I/O failed (not fail-stop)');
    return;
  }
  const results = [
    flushed,
    await rejection(wal.append(PROBE)),
    await rejection(wal.appendBatch([PROBE])),
    await rejection(wal.flushAndSync()),
  ];
  const rejected = results.filter((r) => r.rejected);
  verdict.poisoned = true;
  if (rejected.length !== results.length) {
    problems.push(
      `after a failure ${rejected.length} of ${results.length} probe calls rejected: poisoning must be total`,
    );
  }
  const poison = (rejected[0] as { error: unknown }).error;
  if (!DurabilityError.is(poison))
    problems.push(`a poisoned writer rejects untyped: ${describeError(poison)}`);
  if (rejected.some((r) => (r as { error: unknown }).error !== poison)) {
    problems.push(
      'a poisoned writer rejects later calls with different errors (must be the one original error)',
    );
  }
  if (mustPoison && poison !== stepError) {
    problems.push(`later calls reject with ${describeError(poison)}, not the failure the caller saw`);
  }
  for (const pending of run.pendingDurable) {
    const outcome = await rejection(pending);
    if (!outcome.rejected)
      problems.push(
        'a durable append pending at the failure resolved (acknowledged after the writer failed)',
      );
    else if (outcome.error === poison) verdict.pendingRejected++;
    else
      problems.push(`a pending durable append rejected with ${describeError(outcome.error)}, not the poison`);
  }
}

async function checkRecovery(workload: WorkloadName, run: WorkloadRun, inner: Directory, problems: string[]) {
  let resumed: WalWriter<WalEntry>;
  try {
    resumed = await WalWriter.resume<WalEntry>(inner, writerOptions(workload));
  } catch (error) {
    problems.push(`resume on the un-faulted backend failed: ${describeError(error)}`);
    return;
  }
  try {
    const entries = await new WalReader<WalEntry>(inner).replay({ mode: 'strict' });
    const attempted = run.history.entries.length;
    const first = entries[0]?.entryId;
    const k = entries.at(-1)?.entryId ?? resumed.lastEntryId ?? 0;
    entries.forEach((entry, i) => {
      if (entry.entryId !== first! + i) problems.push(`replayed ids are not contiguous at ${entry.entryId}`);
      else if (!sameValue(entry.payload, run.history.entry(entry.entryId))) {
        problems.push(`entry ${entry.entryId} replayed with another payload than was appended`);
      }
    });
    if (workload === 'W1' && first !== undefined && first !== 1)
      problems.push(`W1 replay starts at ${first}, not 1`);
    if (k < run.acknowledged)
      problems.push(`acknowledged entries lost: recovered through ${k}, acknowledged ${run.acknowledged}`);
    if (k > attempted) problems.push(`recovered through ${k}, but only ${attempted} entries were appended`);
    const recovered = await new RecoveryManager(inner).recoverLatest();
    if (recovered.lastEntryId !== k)
      problems.push(`recoverLatest reached ${recovered.lastEntryId}, replay ${k}`);
    else if (
      k <= attempted &&
      !sameValue(RecoveryManager.toCheckpointState(recovered), run.history.stateAfter(k))
    ) {
      problems.push(`recoverLatest's index differs from the reference after entry ${k}`);
    }
    const next = await resumed.append(PROBE);
    if (next !== k + 1) problems.push(`the resumed writer gave id ${next}, expected ${k + 1}`);
    await resumed.flushAndSync();
  } catch (error) {
    problems.push(`recovery after resume failed: ${describeError(error)}`);
  } finally {
    await resumed.close().catch(() => undefined);
  }
}
