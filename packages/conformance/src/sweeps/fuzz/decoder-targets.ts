import {
  CheckpointFile,
  cborCodec,
  DurabilityError,
  FRAME_HEADER_BYTES,
  RecordLogReader,
  type ReplayMode,
  SEGMENT_HEADER_BYTES,
  segmentPath,
  TornTailError,
  WalReader,
} from '@durability/core';
import fc from 'fast-check';
import { type Outcome, outcomeOf } from '../flip-oracle.js';
import { describeError, sameBytes, sameValue } from '../values.js';
import {
  crcChoice,
  FUZZ_CHUNK_BYTES,
  FUZZ_MAX_ENTRY_BYTES,
  lengthField,
  type Mutation,
  magicField,
  mutate,
  mutations,
  payloadBytes,
  sparseExtra,
  u64Field,
  versionField,
} from './arbitraries.js';
import {
  ascii,
  type CrcChoice,
  checkpointFile,
  concatBytes,
  recordFrame,
  recordLogHeader,
  segmentHeader,
  walFrame,
} from './crafted-bytes.js';
import { ImageDirectory, type ImageFile } from './image-directory.js';

/** One decoder under fuzz: inputs, and a check that throws (with a reason) when the decoder misbehaves. */
export interface DecoderTarget<I> {
  readonly name: string;
  readonly arbitrary: fc.Arbitrary<I>;
  /** Resolves when the decoder behaved; rejects with the reason otherwise. Returns the outcome's code for the tally. */
  check(input: I): Promise<string>;
}

const WAL_READ_LIMIT = Math.max(
  FUZZ_CHUNK_BYTES,
  FRAME_HEADER_BYTES + FUZZ_MAX_ENTRY_BYTES,
  SEGMENT_HEADER_BYTES,
);
const WAL_OPTIONS = { maxEntryBytes: FUZZ_MAX_ENTRY_BYTES, chunkBytes: FUZZ_CHUNK_BYTES };
const RECORD_LOG_PATH = 'logs/fuzz.vrlg';
const CHECKPOINT_PATH = 'checkpoints/fuzz.vckp';

// ---------------------------------------------------------------------------------------------------
// Shared oracle

interface Replayed {
  readonly ids: readonly number[];
  readonly payloads: readonly unknown[];
}

/** The code of an outcome, for the tally; throws when a decoder threw anything but a `DurabilityError`. */
function codeOf(outcome: Outcome<unknown>, label: string): string {
  if (outcome.ok) return 'ok';
  if (!DurabilityError.is(outcome.error)) throw new Error(`${label} threw ${describeError(outcome.error)}`);
  return outcome.error.code;
}

/**
 * Strict and best-effort agree (FORMAT.md decision tables): the rows differ only where best-effort
 * forgives a torn end. So strict data ⇒ the same data from best-effort; strict `TornTailError` ⇒
 * best-effort data; any other strict error ⇒ best-effort fails with the same code.
 */
function checkModesAgree(strict: Outcome<Replayed>, bestEffort: Outcome<Replayed>): void {
  if (strict.ok) {
    if (!bestEffort.ok)
      throw new Error(`strict returned data, best-effort threw ${describeError(bestEffort.error)}`);
    if (
      !sameValue(strict.value.ids, bestEffort.value.ids) ||
      !sameValue(strict.value.payloads, bestEffort.value.payloads)
    ) {
      throw new Error('strict and best-effort returned different data');
    }
  } else if (TornTailError.is(strict.error)) {
    if (!bestEffort.ok) {
      throw new Error(`strict reported a torn tail, best-effort threw ${describeError(bestEffort.error)}`);
    }
  } else if (
    bestEffort.ok ||
    (bestEffort.error as { code?: unknown }).code !== (strict.error as { code?: unknown }).code
  ) {
    throw new Error(
      `strict threw ${describeError(strict.error)}, best-effort ${bestEffort.ok ? 'returned data' : `threw ${describeError(bestEffort.error)}`}`,
    );
  }
}

/** Entry ids of a replay are contiguous (and start at `first` when given). */
function checkContiguous(replayed: Outcome<Replayed>, first?: number): void {
  if (!replayed.ok) return;
  const { ids } = replayed.value;
  ids.forEach((id, i) => {
    if (id !== ids[0]! + i) throw new Error(`entry ids are not contiguous: ${ids.join(',')}`);
  });
  if (first !== undefined && ids.length > 0 && ids[0] !== first)
    throw new Error(`first id ${ids[0]}, expected ${first}`);
}

function checkReads(dir: ImageDirectory): void {
  if (dir.oversizedReads.length > 0) throw new Error(`read sized past the caps: ${dir.oversizedReads[0]}`);
}

async function replayBothModes(dir: ImageDirectory, label: string): Promise<string> {
  const replay = (mode: ReplayMode) =>
    outcomeOf(async (): Promise<Replayed> => {
      const records = await new WalReader(dir, WAL_OPTIONS).replay({ mode });
      return { ids: records.map((r) => r.entryId), payloads: records.map((r) => r.payload) };
    });
  const strict = await replay('strict');
  const bestEffort = await replay('best-effort');
  checkReads(dir);
  const code = `${codeOf(strict, `${label} strict`)}/${codeOf(bestEffort, `${label} best-effort`)}`;
  checkModesAgree(strict, bestEffort);
  checkContiguous(strict);
  checkContiguous(bestEffort);
  return code;
}

function image(bytes: Uint8Array, extra: number): ImageFile {
  return { bytes, length: bytes.length + extra };
}

// ---------------------------------------------------------------------------------------------------
// WAL frames

interface FrameSpec {
  readonly id: 'next' | bigint;
  readonly length: 'actual' | number;
  readonly headerCrc: CrcChoice;
  readonly frameCrc: CrcChoice;
  readonly payload: Uint8Array;
}

const frameSpec: fc.Arbitrary<FrameSpec> = fc.record({
  id: fc.oneof({ weight: 5, arbitrary: fc.constant('next' as const) }, { weight: 1, arbitrary: u64Field() }),
  length: fc.oneof(
    { weight: 4, arbitrary: fc.constant('actual' as const) },
    { weight: 1, arbitrary: lengthField(FUZZ_MAX_ENTRY_BYTES) },
  ),
  headerCrc: crcChoice(),
  frameCrc: crcChoice(),
  payload: payloadBytes(),
});

function walFrames(specs: readonly FrameSpec[], firstId: bigint): Uint8Array {
  let next = firstId;
  return concatBytes(
    specs.map((spec) => {
      const entryId = spec.id === 'next' ? next : spec.id;
      next = entryId + 1n;
      const length = spec.length === 'actual' ? spec.payload.length : spec.length;
      return walFrame({
        length,
        entryId,
        headerCrc: spec.headerCrc,
        frameCrc: spec.frameCrc,
        payload: spec.payload,
      });
    }),
  );
}

const VALID_HEADER_1 = segmentHeader({
  magic: ascii('VWAL'),
  version: 1,
  segmentId: 1n,
  startEntryId: 1n,
  crc: { valid: true },
});

interface FrameInput {
  readonly frames: FrameSpec[];
  readonly damage: Mutation[];
  readonly sparse: number;
}

/** Segment 1 with a valid header, then crafted and damaged frames (damage stays after the header). */
export const walFrameTarget: DecoderTarget<FrameInput> = {
  name: 'WAL frame',
  arbitrary: fc.record({
    frames: fc.array(frameSpec, { maxLength: 5 }),
    damage: mutations(),
    sparse: sparseExtra(),
  }),
  async check(input) {
    const body = mutate(walFrames(input.frames, 1n), input.damage);
    const dir = new ImageDirectory(
      [[segmentPath(1), image(concatBytes([VALID_HEADER_1, body]), input.sparse)]],
      WAL_READ_LIMIT,
    );
    return replayBothModes(dir, 'WAL frame');
  },
};

// ---------------------------------------------------------------------------------------------------
// WAL segment headers

interface HeaderInput {
  readonly magic: Uint8Array;
  readonly version: number;
  readonly segmentId: bigint;
  readonly startEntryId: bigint;
  readonly crc: CrcChoice;
  /** Bytes of the header kept (28 = all). */
  readonly keep: number;
  readonly after: 'nothing' | 'zeros' | 'frame';
  readonly asSegment: 1 | 2;
  readonly damage: Mutation[];
}

const SEGMENT_1_OF_2 = concatBytes([
  VALID_HEADER_1,
  walFrame({
    length: 1,
    entryId: 1n,
    headerCrc: { valid: true },
    frameCrc: { valid: true },
    payload: cborCodec().encode(7),
  }),
]);

/**
 * One segment header with any field values and either checksum, cut anywhere, followed by nothing,
 * zeros or a frame; as segment 1, or as segment 2 after a valid segment 1 holding entry 1.
 */
export const segmentHeaderTarget: DecoderTarget<HeaderInput> = {
  name: 'WAL segment header',
  arbitrary: fc.record({
    magic: magicField('VWAL'),
    version: versionField(),
    segmentId: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(1n, 2n) },
      { weight: 1, arbitrary: u64Field() },
    ),
    startEntryId: fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(1n, 2n) },
      { weight: 1, arbitrary: u64Field() },
    ),
    crc: crcChoice(3),
    keep: fc.oneof({ weight: 3, arbitrary: fc.constant(28) }, { weight: 1, arbitrary: fc.nat({ max: 28 }) }),
    after: fc.constantFrom('nothing' as const, 'zeros' as const, 'frame' as const),
    asSegment: fc.constantFrom(1 as const, 2 as const),
    damage: mutations(),
  }),
  async check(input) {
    const header = segmentHeader(input).subarray(0, input.keep);
    const firstId = input.asSegment === 1 ? 1n : 2n;
    const after =
      input.after === 'zeros'
        ? new Uint8Array(40)
        : input.after === 'frame'
          ? walFrame({
              length: 1,
              entryId: firstId,
              headerCrc: { valid: true },
              frameCrc: { valid: true },
              payload: cborCodec().encode(1),
            })
          : new Uint8Array(0);
    const bytes = mutate(concatBytes([header, after]), input.damage);
    const files: [string, ImageFile][] = [[segmentPath(input.asSegment), { bytes }]];
    if (input.asSegment === 2) files.push([segmentPath(1), { bytes: SEGMENT_1_OF_2 }]);
    return replayBothModes(new ImageDirectory(files, WAL_READ_LIMIT), 'segment header');
  },
};

// ---------------------------------------------------------------------------------------------------
// Whole WAL directories

/** A valid 4-segment WAL (3 entries each, ids 1..12) written from FORMAT.md, whose segments the inputs reuse and damage. */
const VALID_SEGMENTS: readonly Uint8Array[] = [1, 2, 3, 4].map((segment) => {
  const start = BigInt((segment - 1) * 3 + 1);
  const header = segmentHeader({
    magic: ascii('VWAL'),
    version: 1,
    segmentId: BigInt(segment),
    startEntryId: start,
    crc: { valid: true },
  });
  const frames = [0n, 1n, 2n].map((i) => {
    const payload = cborCodec().encode({ type: 'AddSegment', segmentId: Number(start + i), docCount: 10 });
    return walFrame({
      length: payload.length,
      entryId: start + i,
      headerCrc: { valid: true },
      frameCrc: { valid: true },
      payload,
    });
  });
  return concatBytes([header, ...frames]);
});

interface DirectoryFileInput {
  readonly name: string;
  readonly content: { readonly segment: number; readonly damage: Mutation[] } | Uint8Array;
}

const segmentName = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 5 }).map((id) => segmentPath(id).slice('wal/'.length)) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('wal_1.log', `wal_${'0'.repeat(20)}.log`, `wal_${'1'.repeat(21)}.log`),
  },
  { weight: 1, arbitrary: fc.constantFrom('README', '.lock', 'wal_00000000000000000001.log.bak') },
);

/** 1–4 files in `wal/`: valid segments (damaged or not, under any id) and random bytes, under canonical and odd names. */
export const walDirectoryTarget: DecoderTarget<DirectoryFileInput[]> = {
  name: 'whole-directory replay',
  arbitrary: fc.uniqueArray(
    fc.record({
      name: segmentName,
      content: fc.oneof(
        { weight: 4, arbitrary: fc.record({ segment: fc.nat({ max: 3 }), damage: mutations() }) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 120 }) },
      ),
    }),
    { minLength: 1, maxLength: 4, selector: (file) => file.name },
  ),
  async check(input) {
    const files = input.map((file): [string, ImageFile] => [
      `wal/${file.name}`,
      {
        bytes:
          file.content instanceof Uint8Array
            ? file.content
            : mutate(VALID_SEGMENTS[file.content.segment]!, file.content.damage),
      },
    ]);
    return replayBothModes(new ImageDirectory(files, WAL_READ_LIMIT), 'WAL directory');
  },
};

// ---------------------------------------------------------------------------------------------------
// Record log

interface RecordSpec {
  readonly length: 'actual' | number;
  readonly headerCrc: CrcChoice;
  readonly payloadCrc: CrcChoice;
  readonly payload: Uint8Array;
}

interface RecordLogInput {
  readonly magic: Uint8Array;
  readonly version: number;
  readonly records: RecordSpec[];
  readonly damage: Mutation[];
  readonly sparse: number;
}

/** A record log: header (any magic/version), crafted frames, damage anywhere, sometimes sparse. */
export const recordLogTarget: DecoderTarget<RecordLogInput> = {
  name: 'record log',
  arbitrary: fc.record({
    magic: magicField('VRLG'),
    version: versionField(),
    records: fc.array(
      fc.record({
        length: fc.oneof(
          { weight: 4, arbitrary: fc.constant('actual' as const) },
          { weight: 1, arbitrary: lengthField(FUZZ_MAX_ENTRY_BYTES) },
        ),
        headerCrc: crcChoice(),
        payloadCrc: crcChoice(),
        payload: fc.uint8Array({ maxLength: 48 }),
      }),
      { maxLength: 5 },
    ),
    damage: mutations(),
    sparse: sparseExtra(),
  }),
  async check(input) {
    const frames = input.records.map((r) =>
      recordFrame({ ...r, length: r.length === 'actual' ? r.payload.length : r.length }),
    );
    const bytes = mutate(concatBytes([recordLogHeader(input.magic, input.version), ...frames]), input.damage);
    const limit = Math.max(FUZZ_CHUNK_BYTES, 12 + FUZZ_MAX_ENTRY_BYTES);
    const dir = new ImageDirectory([[RECORD_LOG_PATH, image(bytes, input.sparse)]], limit);
    const read = (mode: ReplayMode) =>
      outcomeOf(async (): Promise<Replayed> => {
        const reader = new RecordLogReader(dir, RECORD_LOG_PATH, {
          maxRecordBytes: FUZZ_MAX_ENTRY_BYTES,
          chunkBytes: FUZZ_CHUNK_BYTES,
        });
        const { records } = await reader.readAll({ mode });
        return { ids: records.map((_, i) => i), payloads: records };
      });
    const strict = await read('strict');
    const bestEffort = await read('best-effort');
    checkReads(dir);
    const code = `${codeOf(strict, 'record log strict')}/${codeOf(bestEffort, 'record log best-effort')}`;
    checkModesAgree(strict, bestEffort);
    return code;
  },
};

// ---------------------------------------------------------------------------------------------------
// Checkpoint

interface CheckpointInput {
  readonly magic: Uint8Array;
  readonly version: number;
  readonly lastAppliedId: bigint;
  readonly length: 'actual' | bigint;
  readonly payloadCrc: CrcChoice;
  readonly headerCrc: CrcChoice;
  readonly payload: Uint8Array;
  readonly damage: Mutation[];
  readonly sparse: number;
}

/**
 * A checkpoint file with any header values and either checksum over random, CBOR and canonical CBOR
 * payloads (so valid checksums bring the canonical decoder into the fuzz). A state it returns must be
 * the one the file encodes: the default codec accepts only canonical bytes, so re-encoding the state
 * must give the file back byte for byte.
 */
export const checkpointTarget: DecoderTarget<CheckpointInput> = {
  name: 'checkpoint',
  arbitrary: fc.record({
    magic: magicField('VCKP'),
    version: versionField(),
    lastAppliedId: u64Field(),
    length: fc.oneof(
      { weight: 4, arbitrary: fc.constant('actual' as const) },
      { weight: 1, arbitrary: lengthField(FUZZ_MAX_ENTRY_BYTES).map(BigInt) },
      { weight: 1, arbitrary: u64Field() },
    ),
    payloadCrc: crcChoice(),
    headerCrc: crcChoice(),
    payload: payloadBytes(),
    damage: mutations(),
    sparse: sparseExtra(),
  }),
  async check(input) {
    const length = input.length === 'actual' ? BigInt(input.payload.length) : input.length;
    const bytes = mutate(checkpointFile({ ...input, length }), input.damage);
    const dir = new ImageDirectory(
      [[CHECKPOINT_PATH, image(bytes, input.sparse)]],
      Math.max(32, FUZZ_MAX_ENTRY_BYTES),
    );
    const file = new CheckpointFile(dir, { maxPayloadBytes: FUZZ_MAX_ENTRY_BYTES });
    const outcome = await outcomeOf(() => file.read(CHECKPOINT_PATH));
    checkReads(dir);
    const code = codeOf(outcome, 'checkpoint read');
    if (outcome.ok) {
      const whole = concatBytes([bytes, new Uint8Array(input.sparse)]);
      const again = file.encode(outcome.value.state, outcome.value.lastAppliedId);
      if (!sameBytes(again, whole))
        throw new Error('the state read does not re-encode to the file it came from');
    }
    return code;
  },
};

/** The decoders the fuzz covers, in the order it runs them. */
export const DECODER_TARGETS = [
  walFrameTarget,
  segmentHeaderTarget,
  recordLogTarget,
  checkpointTarget,
  walDirectoryTarget,
] as const;
