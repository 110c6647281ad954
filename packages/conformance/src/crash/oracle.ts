import {
  bytesCodec,
  crc32,
  type Directory,
  DurabilityError,
  RecoveryManager,
  type ReplayReport,
  TornTailError,
  WalReader,
  type WalReaderOptions,
  type WalRecord,
  walEntrySchema,
} from '@durability/core';
import type { CrashImplementation } from './implementation.js';
import type { CrashWorkload, WorkloadRun } from './workloads.js';

/**
 * The oracle one post-crash state is checked against (ARCHITECTURE §4, §6):
 * 1. best-effort replay returns exactly entries 1..k (W2: a contiguous run ending at k, the WAL's head
 *    may be truncated), payload-equal to what was appended, with k ≥ every acknowledged entry (and k equal
 *    to the window's count inside a repair);
 * 2. strict replay returns the same entries or rejects with `TornTailError`;
 * 3. W2: `RecoveryManager.recoverLatest` (best-effort) equals the segment index after entries 1..k;
 *    strict `recoverLatest` equals it or rejects with `TornTailError`;
 * 4. `resume` repairs; a second `resume` finds a clean end and changes nothing; the next id is k+1.
 * A state holding garbage bytes may instead fail loudly with a typed `DurabilityError` (garbage where a
 * frame should be is corruption by design); never with different data, never with an untyped error.
 */
export interface OracleInput {
  readonly workload: CrashWorkload;
  readonly run: WorkloadRun;
  readonly impl: CrashImplementation;
  /** Every entry id ≤ this must be recovered. */
  readonly required: number;
  /** Recovery must return exactly this many entries. */
  readonly exact: { entries: number; what: string } | undefined;
  readonly garbage: boolean;
  /** Skip the `resume` checks (used for states inside a repair, which only need the replay checks). */
  readonly replayOnly?: boolean;
  /**
   * The state's files, and the resume classes already checked. `resume` acts on what a best-effort scan
   * found (the valid prefix, the stop reason, the bytes dropped), so states that agree on those and on
   * every other byte get the (costly) resume checks once.
   */
  readonly files?: ReadonlyMap<string, Uint8Array>;
  readonly resumeClasses?: Set<string>;
}

export interface OracleVerdict {
  readonly problem: string | undefined;
  /** Entries recovered (undefined when the state failed loudly, as a garbage state may). */
  readonly entries: number | undefined;
  /** `resume` had to repair something. */
  readonly repaired: boolean;
}

/** `name [code]: message` of any thrown value. */
export function showError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${code === undefined ? '' : ` [${String(code)}]`}: ${error.message}`;
  }
  return String(error);
}

/** Structural equality of decoded entries (plain data: bytes, arrays, objects, primitives). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!(Array.isArray(a) && Array.isArray(b)) || a.length !== b.length) return false;
    return a.every((item, i) => sameValue(item, b[i]));
  }
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const keysA = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const keysB = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (keysA.length !== keysB.length) return false;
  return keysA.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

function readerOptions(workload: CrashWorkload): WalReaderOptions<unknown> {
  return (
    workload.kind === 'publish' ? { schema: walEntrySchema } : { codec: bytesCodec }
  ) as WalReaderOptions<unknown>;
}

class Problem extends Error {}

const fail = (message: string): never => {
  throw new Problem(message);
};

/** The entries of a replay checked against the run; returns k. */
function checkRecords(records: WalRecord<unknown>[], input: OracleInput, mode: string): number {
  const { run, workload } = input;
  const first = records[0]?.entryId;
  if (first !== undefined && workload.kind === 'wal' && first !== 1) {
    fail(`${mode} replay starts at entry ${first}, not 1`);
  }
  for (let i = 0; i < records.length; i++) {
    const { entryId, payload } = records[i]!;
    if (entryId !== first! + i) fail(`${mode} replay: entry ${entryId} follows ${records[i - 1]?.entryId}`);
    if (entryId > run.entries.length)
      fail(`${mode} replay returned entry ${entryId}, which was never appended`);
    if (!sameValue(payload, run.entries[entryId - 1])) {
      fail(`${mode} replay: entry ${entryId} holds different data than was appended`);
    }
  }
  return records.at(-1)?.entryId ?? 0;
}

async function replay(dir: Directory, input: OracleInput, mode: 'strict' | 'best-effort') {
  return new WalReader<unknown>(dir, readerOptions(input.workload)).replay({ mode });
}

/** Checks one materialised post-crash state. */
export async function checkState(dir: Directory, input: OracleInput): Promise<OracleVerdict> {
  try {
    return await verdict(dir, input);
  } catch (error) {
    if (error instanceof Problem) return { problem: error.message, entries: undefined, repaired: false };
    return { problem: `unexpected failure: ${showError(error)}`, entries: undefined, repaired: false };
  }
}

async function verdict(dir: Directory, input: OracleInput): Promise<OracleVerdict> {
  const { required, exact, garbage } = input;
  const records: WalRecord<unknown>[] = [];
  let report: ReplayReport;
  try {
    report = await new WalReader<unknown>(dir, readerOptions(input.workload)).replayEach(
      (record) => {
        records.push(record);
      },
      { mode: 'best-effort' },
    );
  } catch (error) {
    if (garbage && DurabilityError.is(error))
      return { problem: undefined, entries: undefined, repaired: false };
    return fail(`best-effort replay failed: ${showError(error)}`);
  }
  const k = checkRecords(records, input, 'best-effort');
  if (k < required)
    fail(`lost acknowledged entries: recovered through ${k}, entries 1..${required} were acknowledged`);
  if (exact && k !== exact.entries) {
    fail(
      `inside the ${exact.what}: recovered through ${k}, expected exactly ${exact.entries} (a crash during repair must change nothing)`,
    );
  }
  await checkStrict(dir, input, k);
  if (input.workload.kind === 'publish') await checkRecovery(dir, input, k);
  if (input.replayOnly) return { problem: undefined, entries: k, repaired: false };
  if (input.files && input.resumeClasses) {
    const key = resumeClass(input.files, report);
    if (input.resumeClasses.has(key)) return { problem: undefined, entries: k, repaired: false };
    input.resumeClasses.add(key);
  }
  const repaired = await checkResume(dir, input, k);
  return { problem: undefined, entries: k, repaired };
}

async function checkStrict(dir: Directory, input: OracleInput, k: number): Promise<void> {
  let strict: WalRecord<unknown>[];
  try {
    strict = await replay(dir, input, 'strict');
  } catch (error) {
    if (TornTailError.is(error) || (input.garbage && DurabilityError.is(error))) return;
    return fail(`strict replay failed with something other than a TornTailError: ${showError(error)}`);
  }
  if (checkRecords(strict, input, 'strict') !== k)
    fail(`strict replay ended at ${strict.at(-1)?.entryId}, best-effort at ${k}`);
}

async function checkRecovery(dir: Directory, input: OracleInput, k: number): Promise<void> {
  const states = input.run.states!;
  let recovered: Awaited<ReturnType<RecoveryManager['recoverLatest']>>;
  try {
    recovered = await new RecoveryManager(dir).recoverLatest({ mode: 'best-effort' });
  } catch (error) {
    return fail(`recoverLatest (best-effort) failed: ${showError(error)}`);
  }
  if (recovered.lastEntryId !== k)
    fail(`recoverLatest reached entry ${recovered.lastEntryId}, the WAL ends at ${k}`);
  if (!sameValue(RecoveryManager.toCheckpointState(recovered), states[k])) {
    fail(`recoverLatest: the segment index is not the state after entries 1..${k}`);
  }
  try {
    const strict = await new RecoveryManager(dir).recoverLatest();
    if (strict.lastEntryId !== k)
      fail(`strict recoverLatest reached entry ${strict.lastEntryId}, expected ${k}`);
  } catch (error) {
    if (!TornTailError.is(error))
      fail(`strict recoverLatest failed with something other than a TornTailError: ${showError(error)}`);
  }
}

function resumeClass(files: ReadonlyMap<string, Uint8Array>, report: ReplayReport): string {
  const parts = [`${report.reason}:${report.path}:${report.offset}:${report.bytesDropped}`];
  for (const [path, bytes] of files) {
    const kept = path === report.path ? bytes.subarray(0, report.offset) : bytes;
    const droppedZero = path === report.path && bytes.subarray(report.offset).every((b) => b === 0);
    parts.push(`${path}:${bytes.length}:${crc32(kept)}:${droppedZero}`);
  }
  return parts.join('|');
}

/** Every file under `wal/` except the lock, for comparing two resumes. */
async function walImage(dir: Directory): Promise<Map<string, Uint8Array>> {
  const image = new Map<string, Uint8Array>();
  for (const name of await dir.list('wal')) {
    if (name.startsWith('.lock')) continue;
    image.set(name, await dir.readFile(`wal/${name}`));
  }
  return image;
}

async function checkResume(dir: Directory, input: OracleInput, k: number): Promise<boolean> {
  const { impl, workload } = input;
  let repaired: boolean;
  try {
    const first = await impl.resumeWriter(dir, workload.writerOptions);
    repaired = (first.resumeReport?.reason ?? 'clean-end') !== 'clean-end';
    if ((first.lastEntryId ?? 0) > k)
      fail(`resume continues after entry ${first.lastEntryId}, recovery found ${k}`);
    await first.close();
  } catch (error) {
    if (error instanceof Problem) throw error;
    return fail(`resume failed: ${showError(error)}`);
  }
  const afterFirst = await walImage(dir);
  const records = await replay(dir, input, 'strict').catch((error: unknown) =>
    fail(`strict replay after resume failed (the repair left damage): ${showError(error)}`),
  );
  if (checkRecords(records, input, 'post-repair strict') !== k)
    fail(`after resume the WAL ends at ${records.at(-1)?.entryId}, expected ${k}`);
  try {
    const second = await impl.resumeWriter(dir, workload.writerOptions);
    const report = second.resumeReport;
    if (report && (report.reason !== 'clean-end' || report.bytesDropped !== 0)) {
      fail(
        `a second resume found ${report.reason} (${report.bytesDropped} bytes dropped): repair is not idempotent`,
      );
    }
    const image = await walImage(dir);
    const same =
      image.size === afterFirst.size &&
      [...image].every(([name, bytes]) => sameValue(bytes, afterFirst.get(name)));
    if (!same) fail('a second resume changed the WAL files: repair is not idempotent');
    const id = await second.append(workload.probe);
    if (id !== k + 1) fail(`the resumed writer assigned id ${id}, expected ${k + 1}`);
    await second.flushAndSync();
    await second.close();
  } catch (error) {
    if (error instanceof Problem) throw error;
    return fail(`second resume or append failed: ${showError(error)}`);
  }
  return repaired;
}
