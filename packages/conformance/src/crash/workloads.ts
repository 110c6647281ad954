import {
  bytesCodec,
  checkpointPathFor,
  type Directory,
  parseSegmentFileName,
  SegmentIndex,
  type SegmentIndexCheckpoint,
  segmentPath,
  WAL_DIR,
  type WalEntry,
  type WalWriterOptions,
  walEntrySchema,
} from '@durability/core';
import type { CrashImplementation, WalWriterLike } from './implementation.js';
import { below, deriveSeed, prng, type Random } from './prng.js';
import type { Recording } from './recording-directory.js';

/**
 * The canonical crash workloads. Each is deterministic for a seed (the explorer re-runs it up to every
 * crash point on a live backend) and reports the entries it appended, by id.
 *
 * - W1: 64 appends of 16–215-byte payloads, `flush` after entry 8n+4, `flushAndSync` after entry 8n+8;
 *   2 KiB segments, so at least four rotations.
 * - W2: three publish cycles of the segment-index WAL: 12 entries (sync after 6, flush after 12), then
 *   `publish` of the state two entries behind the WAL's end, which truncates covered segments; the first
 *   checkpoint is a numbered file (removed by the second publish), the second and third replace
 *   `checkpoints/current.vckp` in place; 1 KiB segments.
 * - W3: resume-repair loops: a WAL whose writer "crashed" leaving (a) a 13-byte torn frame, (b) a
 *   700-byte zero-filled tail, (c) a torn header of a new segment; each time `resume` repairs it and six
 *   more entries are appended and synced. Crash points inside each repair must recover exactly the
 *   entries that were there before it.
 */
export type WorkloadName = 'W1' | 'W2' | 'W3';

export const WORKLOAD_NAMES: readonly WorkloadName[] = ['W1', 'W2', 'W3'];

/** What one run of a workload appended. */
export interface WorkloadRun {
  /** `entries[id - 1]` is the entry with that id. */
  readonly entries: unknown[];
  /** W2: `states[k]` is the segment index after entries 1..k. */
  readonly states?: SegmentIndexCheckpoint[];
}

export interface CrashWorkload {
  readonly name: WorkloadName;
  readonly summary: string;
  /** `wal`: the oracle replays the WAL; `publish`: it also recovers the segment index. */
  readonly kind: 'wal' | 'publish';
  readonly writerOptions: WalWriterOptions<unknown>;
  /** An entry the resume check appends after recovery (never appended by the workload). */
  readonly probe: unknown;
  run(dir: Directory, recording: Recording, impl: CrashImplementation, seed: number): Promise<WorkloadRun>;
}

/** Deterministic payload bytes for entry `id`. */
function payload(random: Random, id: number): Uint8Array {
  const out = new Uint8Array(16 + below(random, 200));
  for (let i = 0; i < out.length; i++) out[i] = (id * 131 + i * 29 + (i >>> 3)) & 0xff || 1;
  return out;
}

/** Runs `body`; a simulated crash ends it quietly (the run is then partial), writers are always closed. */
async function guarded(
  recording: Recording,
  writers: WalWriterLike<unknown>[],
  body: () => Promise<void>,
): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (!recording.crashed) throw error;
  } finally {
    // After a crash these reject; closing still frees the writer's in-process lock registration.
    for (const writer of writers) await writer.close().catch(() => undefined);
  }
}

async function appendTracked<E>(wal: WalWriterLike<E>, entry: E, entries: unknown[]): Promise<void> {
  const pending = wal.append(entry);
  entries.push(entry);
  const id = await pending;
  if (id !== entries.length) throw new Error(`writer assigned id ${id} to entry ${entries.length}`);
}

async function syncAck<E>(wal: WalWriterLike<E>, recording: Recording): Promise<void> {
  await wal.flushAndSync();
  recording.acknowledge('durable', wal.lastEntryId ?? 0);
}

async function flushAck<E>(wal: WalWriterLike<E>, recording: Recording): Promise<void> {
  await wal.flush();
  recording.acknowledge('flushed', wal.lastEntryId ?? 0);
}

const bytesOptions = (segmentSizeBytes: number): WalWriterOptions<unknown> =>
  ({ codec: bytesCodec, segmentSizeBytes }) as WalWriterOptions<unknown>;

export const W1: CrashWorkload = {
  name: 'W1',
  summary: '64 appends, flush every 4, flushAndSync every 8, 2 KiB segments (≥ 4 rotations)',
  kind: 'wal',
  writerOptions: bytesOptions(2048),
  probe: new Uint8Array([0xc0, 0xff, 0xee]),
  async run(dir, recording, impl, seed) {
    const random = prng(deriveSeed(seed, 'W1'));
    const entries: unknown[] = [];
    const writers: WalWriterLike<unknown>[] = [];
    await guarded(recording, writers, async () => {
      const wal = await impl.createWriter(dir, this.writerOptions);
      writers.push(wal);
      for (let id = 1; id <= 64; id++) {
        await appendTracked(wal, payload(random, id), entries);
        if (id % 8 === 4) await flushAck(wal, recording);
        if (id % 8 === 0) await syncAck(wal, recording);
      }
    });
    return { entries };
  },
};

/** Valid segment-index entries: add segments, delete documents not yet deleted. */
class SegmentEntries {
  private readonly live = new Map<number, { docCount: number; deleted: Set<number> }>();
  private nextSegmentId = 1;

  constructor(private readonly random: Random) {}

  next(): WalEntry {
    const candidates = [...this.live].filter(([, s]) => s.deleted.size < s.docCount);
    if (candidates.length === 0 || below(this.random, 3) === 0) {
      const segmentId = this.nextSegmentId++;
      const docCount = 1 + below(this.random, 40);
      this.live.set(segmentId, { docCount, deleted: new Set() });
      return { type: 'AddSegment', segmentId, docCount };
    }
    const [segmentId, segment] = candidates[below(this.random, candidates.length)]!;
    let docId = below(this.random, segment.docCount);
    while (segment.deleted.has(docId)) docId = (docId + 1) % segment.docCount;
    segment.deleted.add(docId);
    return { type: 'DeleteDocuments', deletes: [[segmentId, docId]] };
  }
}

export const W2: CrashWorkload = {
  name: 'W2',
  summary:
    '3 publish cycles (segment-index entries, CheckpointPublisher.publish, truncation), 1 KiB segments',
  kind: 'publish',
  writerOptions: { schema: walEntrySchema, segmentSizeBytes: 1024 } as WalWriterOptions<unknown>,
  probe: { type: 'AddSegment', segmentId: 1_000_000_000, docCount: 1 } satisfies WalEntry,
  async run(dir, recording, impl, seed) {
    const generator = new SegmentEntries(prng(deriveSeed(seed, 'W2')));
    const entries: unknown[] = [];
    const index = new SegmentIndex();
    const states: SegmentIndexCheckpoint[] = [index.toCheckpointState()];
    const record = (entry: WalEntry): void => {
      index.apply(entry, states.length);
      states.push(index.toCheckpointState());
    };
    const writers: WalWriterLike<unknown>[] = [];
    await guarded(recording, writers, async () => {
      const wal = (await impl.createWriter(dir, this.writerOptions)) as WalWriterLike<WalEntry>;
      writers.push(wal as WalWriterLike<unknown>);
      let previous: string | undefined;
      for (let cycle = 0; cycle < 3; cycle++) {
        for (let i = 1; i <= 12; i++) {
          const entry = generator.next();
          await appendTracked(wal, entry, entries);
          record(entry);
          if (i === 6) await syncAck(wal, recording);
        }
        await flushAck(wal, recording);
        const lastAppliedId = entries.length - 2;
        // cycle 1 publishes to a numbered file, cycles 2 and 3 replace one fixed file in place
        const path = cycle === 0 ? checkpointPathFor(lastAppliedId) : 'checkpoints/current.vckp';
        const marker: WalEntry = { type: 'Checkpoint', checkpointPath: path, lastEntryId: lastAppliedId };
        // the marker publish appends is the next entry (it may reach the WAL before a crash in publish)
        entries.push(marker);
        record(marker);
        const remove = previous && previous !== path ? [previous] : [];
        await impl.publish(dir, wal, states[lastAppliedId]!, lastAppliedId, path, remove);
        if (wal.lastEntryId !== entries.length) {
          throw new Error(`publish appended its marker as ${wal.lastEntryId}, expected ${entries.length}`);
        }
        recording.acknowledge('durable', entries.length);
        previous = path;
      }
    });
    return { entries, states };
  },
};

/** The final segment's path and content. */
async function finalSegment(dir: Directory): Promise<{ path: string; segmentId: number; bytes: Uint8Array }> {
  const ids = (await dir.list(WAL_DIR))
    .map((name) => parseSegmentFileName(name))
    .filter((id): id is number => id !== undefined);
  const segmentId = Math.max(...ids);
  const path = segmentPath(segmentId);
  return { path, segmentId, bytes: await dir.readFile(path) };
}

/** What a crashed writer left at the end of the WAL, written the way a torn write leaves it. */
async function leaveTornTail(
  dir: Directory,
  kind: 'torn-frame' | 'zero-tail' | 'torn-header',
): Promise<void> {
  const tail = await finalSegment(dir);
  if (kind === 'torn-header') {
    // magic and version of a new segment's header, nothing more
    const writer = await dir.createFile(segmentPath(tail.segmentId + 1));
    await writer.write(tail.bytes.slice(0, 8));
    await writer.close();
    return;
  }
  const writer = await dir.appendFile(tail.path);
  const fragment = new Uint8Array(kind === 'torn-frame' ? 13 : 700);
  if (kind === 'torn-frame') fragment.fill(0x5a);
  await writer.write(fragment);
  await writer.close();
}

export const W3: CrashWorkload = {
  name: 'W3',
  summary: 'resume-repair loops: torn frame, zero-filled tail, torn segment header; 1 KiB segments',
  kind: 'wal',
  writerOptions: bytesOptions(1024),
  probe: new Uint8Array([0xfe, 0xed]),
  async run(dir, recording, impl, seed) {
    const random = prng(deriveSeed(seed, 'W3'));
    const entries: unknown[] = [];
    const writers: WalWriterLike<unknown>[] = [];
    await guarded(recording, writers, async () => {
      let wal = await impl.createWriter(dir, this.writerOptions);
      writers.push(wal);
      const appendSix = async (): Promise<void> => {
        for (let i = 0; i < 6; i++) await appendTracked(wal, payload(random, entries.length + 1), entries);
        await syncAck(wal, recording);
      };
      await appendSix();
      for (const kind of ['torn-frame', 'zero-tail', 'torn-header'] as const) {
        await wal.close();
        await leaveTornTail(dir, kind);
        recording.openWindow(entries.length, `repair of a ${kind}`);
        wal = await impl.resumeWriter(dir, this.writerOptions);
        writers.push(wal);
        recording.closeWindow();
        await appendSix();
      }
    });
    return { entries };
  },
};

export const WORKLOADS: Readonly<Record<WorkloadName, CrashWorkload>> = { W1, W2, W3 };
