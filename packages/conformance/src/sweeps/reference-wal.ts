import {
  CheckpointFile,
  checkpointPathFor,
  type Directory,
  FRAME_HEADER_BYTES,
  parseSegmentFileName,
  WAL_DIR,
  type WalEntry,
  WalWriter,
} from '@durability/core';
import { RecordingDirectory } from './recording-directory.js';
import { SegmentHistory } from './segment-history.js';
import { sameBytes } from './values.js';
import { type FrameSpan, framesOf } from './wal-image.js';

/** Segment size of the reference WAL: about four frames of a segment-index entry per segment. */
export const REFERENCE_SEGMENT_BYTES = 320;
/** The reference history is fixed, so every run sweeps the same bytes. */
const REFERENCE_HISTORY_SEED = 0x5eed;
const MIN_FINAL_FRAMES = 4;

export interface SegmentImage {
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly frames: readonly FrameSpan[];
}

/**
 * The reference the corruption sweep damages: a 3-segment WAL of segment-index entries, written by
 * `WalWriter` on the backend under test, and a checkpoint written by `CheckpointFile`.
 *
 * - `clean`: the three segments, every byte in a valid frame; replays to exactly `entries`.
 * - `tornFinal`: the final segment of `clean` followed by a torn write, the first half of one more
 *   frame (its 20-byte header and part of its payload, row W7): best-effort replays to `entries`,
 *   strict throws `TornTailError`. `tornTailStart` is where that partial frame begins.
 */
export interface ReferenceWal {
  readonly entries: readonly WalEntry[];
  readonly clean: readonly SegmentImage[];
  readonly tornFinal: SegmentImage;
  readonly tornTailStart: number;
  readonly checkpoint: { path: string; bytes: Uint8Array; state: unknown; lastAppliedId: number };
  /** Files the backend read back differently from how they were written (each a violation). */
  readonly readBackMismatches: readonly string[];
}

/** Writes the reference WAL and checkpoint into `dir` (which must be empty) and reads them back. */
export async function buildReference(dir: Directory): Promise<ReferenceWal> {
  const recording = new RecordingDirectory(dir);
  const history = new SegmentHistory(REFERENCE_HISTORY_SEED);
  const wal = await WalWriter.create<WalEntry>(recording.dir, { segmentSizeBytes: REFERENCE_SEGMENT_BYTES });
  try {
    for (;;) {
      await wal.append(history.next());
      await wal.flush();
      const paths = await segmentPaths(dir);
      if (paths.length > 3) throw new RangeError('reference WAL rotated past three segments');
      if (paths.length === 3 && framesOf(recording.written(paths[2]!)).length >= MIN_FINAL_FRAMES) break;
    }
    await wal.flushAndSync();
  } finally {
    await wal.close();
  }

  const readBackMismatches: string[] = [];
  const written: SegmentImage[] = [];
  for (const path of await segmentPaths(dir)) {
    const bytes = recording.written(path);
    if (!sameBytes(await dir.readFile(path), bytes)) readBackMismatches.push(path);
    written.push({ path, bytes, frames: framesOf(bytes) });
  }
  // The last frame is set aside: cut out for `clean`, cut in half for `tornFinal`.
  const final = written[2]!;
  const spare = final.frames.at(-1)!;
  const entryCount = spare.entryId - 1;
  const cleanFinal: SegmentImage = {
    path: final.path,
    bytes: final.bytes.slice(0, spare.offset),
    frames: final.frames.slice(0, -1),
  };
  const tornEnd =
    spare.offset + FRAME_HEADER_BYTES + Math.ceil((spare.end - spare.offset - FRAME_HEADER_BYTES) / 2);
  const tornFinal: SegmentImage = { ...cleanFinal, bytes: final.bytes.slice(0, tornEnd) };
  await putFile(dir, final.path, cleanFinal.bytes);

  const state = richState(history, entryCount);
  const checkpointPath = checkpointPathFor(entryCount);
  await new CheckpointFile(recording.dir).write(checkpointPath, state, entryCount);
  const checkpointBytes = recording.written(checkpointPath);
  if (!sameBytes(await dir.readFile(checkpointPath), checkpointBytes))
    readBackMismatches.push(checkpointPath);

  return {
    entries: history.entries.slice(0, entryCount),
    clean: [written[0]!, written[1]!, cleanFinal],
    tornFinal,
    tornTailStart: spare.offset,
    checkpoint: { path: checkpointPath, bytes: checkpointBytes, state, lastAppliedId: entryCount },
    readBackMismatches,
  };
}

/** Replaces `path` with exactly `bytes` through the plain Directory API. */
export async function putFile(dir: Directory, path: string, bytes: Uint8Array): Promise<void> {
  const writer = await dir.createFile(path);
  try {
    await writer.write(bytes);
    await writer.flush();
  } finally {
    await writer.close();
  }
}

async function segmentPaths(dir: Directory): Promise<string[]> {
  const names = await dir.list(WAL_DIR);
  return names.filter((name) => parseSegmentFileName(name) !== undefined).map((name) => `${WAL_DIR}/${name}`);
}

/**
 * The checkpoint's state: the segment index after the reference entries, plus values that make the
 * canonical CBOR payload use every major type (a Map with mixed keys, a Set, bytes, floats, text).
 */
function richState(history: SegmentHistory, lastAppliedId: number): unknown {
  return {
    index: history.stateAfter(lastAppliedId),
    labels: new Map<unknown, unknown>([
      ['owner', 'conformance'],
      [7, -1000],
      [new Uint8Array([1, 2]), null],
    ]),
    tags: new Set(['a', 'bb', 'ü']),
    blob: new Uint8Array([0, 255, 127, 128]),
    ratios: [1.5, -0, 1.1, 65504],
    flags: [true, false, undefined],
  };
}
