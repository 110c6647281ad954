import type { SequentialReader } from '../encoding/sequential-reader.js';
import { CorruptionError, FormatError, TornTailError } from '../errors.js';
import type { ReplayMode } from './replay-report.js';
import type { SegmentFile } from './segment-name.js';
import { consistentWithTornWrite, endsInZeros, hex32 } from './torn-write.js';
import {
  decodeSegmentHeader,
  expectedSegmentHeader,
  SEGMENT_HEADER_BYTES,
  WAL_FORMAT_VERSION,
} from './wal-format.js';

/**
 * Validates a segment header at the start of `input` and consumes it. Returns its `start_entry_id`, or
 * `undefined` when the final segment's header is torn (best-effort; strict throws `TornTailError`).
 *
 * Order of checks: the header CRC first, so that a damaged byte anywhere in the header, magic and
 * version included, is corruption; then, on checksum-valid bytes only, magic and version (`FormatError`:
 * a file of another format or a newer version), the segment id against the file name, and
 * `start_entry_id` against the ids before it (segment 1 always starts at entry 1).
 *
 * Torn header (final segment only): fewer than 28 bytes (row S1), or a CRC mismatch where the header
 * ends in zeros and every later byte is zero (S2), and in both cases every byte before the zeros that the
 * reader can know (magic, version, segment id, and the start id and CRC when the previous segment fixes
 * them) matches. Safe to forgive: the writer syncs a header before writing any frame behind it, and
 * resume writes back the same header. This agrees with the shared torn-write rule (a lost sector zeroes
 * the whole 28-byte header, which S2 accepts) and also forgives a cut within the header. Rows S1–S5 of
 * the decision table in FORMAT.md § WAL segment; the comments name them.
 */
export async function readSegmentHeader(
  input: SequentialReader,
  file: SegmentFile,
  options: { mode: ReplayMode; isFinal: boolean; expectedStartEntryId: number | undefined },
): Promise<number | undefined> {
  const where = (offset: number) => ({ path: file.path, segmentId: file.segmentId, offset });
  const available = Math.min(input.length, SEGMENT_HEADER_BYTES);
  await input.fill(available);
  const head = input.peek(available);
  const knownStart = options.expectedStartEntryId ?? (file.segmentId === 1 ? 1 : undefined);
  const expected = expectedSegmentHeader(file.segmentId, knownStart);

  const tornOrThrow = (torn: boolean, corruption: () => Error): undefined => {
    if (!options.isFinal || !torn) throw corruption();
    if (options.mode === 'strict') {
      throw new TornTailError('final segment has a torn header (strict replay)', {
        ...where(0),
        expected: `${SEGMENT_HEADER_BYTES}-byte valid header`,
        actual: `${input.length} bytes`,
      });
    }
    return undefined;
  };

  if (available < SEGMENT_HEADER_BYTES) {
    // S1, else S3.
    return tornOrThrow(
      consistentWithTornWrite(head, expected),
      () =>
        new CorruptionError('segment shorter than its header', {
          ...where(0),
          expected: `${SEGMENT_HEADER_BYTES} bytes`,
          actual: `${available} bytes`,
        }),
    );
  }
  const raw = decodeSegmentHeader(head);
  if (raw.storedCrc !== raw.computedCrc) {
    // S2, else S3.
    let torn = false;
    if (options.isFinal && endsInZeros(head) && consistentWithTornWrite(head, expected)) {
      input.take(SEGMENT_HEADER_BYTES);
      torn = await input.restIsZero();
    }
    const hint = raw.magicOk ? '' : ` (magic is not 'VWAL': not a WAL segment?)`;
    return tornOrThrow(
      torn,
      () =>
        new CorruptionError(`segment header checksum mismatch${hint}`, {
          ...where(0),
          expected: hex32(raw.storedCrc),
          actual: hex32(raw.computedCrc),
        }),
    );
  }
  // S4
  if (!raw.magicOk) throw new FormatError('not a WAL segment (bad magic)', { ...where(0), expected: 'VWAL' });
  if (raw.version !== WAL_FORMAT_VERSION) {
    throw new FormatError('unknown WAL format version', {
      ...where(4),
      expected: WAL_FORMAT_VERSION,
      actual: raw.version,
    });
  }
  // S5
  if (raw.segmentId !== file.segmentId) {
    throw new CorruptionError('segment header names another segment than its file', {
      ...where(8),
      expected: file.segmentId,
      actual: raw.segmentId ?? '> 2^53-1',
    });
  }
  const start = raw.startEntryId;
  if (start === undefined || start < 1 || (knownStart !== undefined && start !== knownStart)) {
    throw new CorruptionError('segment start_entry_id does not continue the entry ids', {
      ...where(16),
      expected: knownStart ?? '≥ 1',
      actual: start ?? '> 2^53-1',
    });
  }
  input.take(SEGMENT_HEADER_BYTES);
  return start;
}
