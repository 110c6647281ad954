import type { DurableDirectory } from '../directory.js';
import { readU32 } from '../encoding/little-endian.js';
import { SequentialReader } from '../encoding/sequential-reader.js';
import { hasZeroSector } from '../encoding/torn-write.js';
import { CorruptionError, FormatError, LimitExceededError, TornTailError } from '../errors.js';
import {
  classifyHeader,
  frameHeaderChecksum,
  framePayloadChecksum,
  hex32,
  hexBytes,
  RECORD_FRAME_HEADER_BYTES,
  RECORD_LOG_HEADER_BYTES,
  RECORD_LOG_MAX_RECORD_BYTES,
  RECORD_LOG_VERSION,
} from './format.js';
import type { RecordLogEndReason, RecordLogReadMode, RecordLogReport } from './report.js';

export interface ScanOptions {
  mode: RecordLogReadMode;
  maxRecordBytes: number;
  chunkBytes: number;
}

/** Receives each valid payload (a view that stays valid) with its frame's offset and its index. */
export type FrameVisitor = (payload: Uint8Array, offset: number, index: number) => void | Promise<void>;

/**
 * Streams a record log front to back and applies the read decision table of FORMAT.md § Record log,
 * rows in the order written there (the comments name the rows). Memory stays about one chunk plus one
 * frame, whatever the file's size; nothing is allocated from a length field before the caps are checked.
 *
 * Returns the report; throws `FormatError`, `CorruptionError`, `LimitExceededError` in both modes and
 * `TornTailError` for a torn or zero-filled end in strict mode. Errors from `visit` propagate unchanged.
 * A damaged frame is a torn write only under the shared torn-write rule (`encoding/torn-write.ts`).
 */
export async function scanRecordLog(
  dir: DurableDirectory,
  path: string,
  options: ScanOptions,
  visit?: FrameVisitor,
): Promise<RecordLogReport> {
  const file = await dir.openReader(path);
  const input = new SequentialReader(file, { chunkBytes: options.chunkBytes });
  let report: RecordLogReport;
  try {
    report = await scan(input, path, options, visit);
  } catch (error) {
    await input.settle();
    await file.close().catch(() => undefined); // the scan's error is the one that matters
    throw error;
  }
  await input.settle();
  await file.close();
  return report;
}

async function scan(
  reader: SequentialReader,
  path: string,
  options: ScanOptions,
  visit: FrameVisitor | undefined,
): Promise<RecordLogReport> {
  const length = reader.length;
  const end = (reason: RecordLogEndReason, records: number, validBytes: number): RecordLogReport => {
    if (reason !== 'clean-end' && options.mode === 'strict') {
      const what =
        reason === 'torn-header' ? 'has a torn header' : `ends in a ${reason.replaceAll('-', ' ')}`;
      throw new TornTailError(`record log ${what}: ${length - validBytes} bytes after the valid prefix`, {
        path,
        offset: validBytes,
      });
    }
    return { path, reason, records, validBytes, droppedBytes: length - validBytes };
  };

  // Rows H1–H3: the file header.
  const headerBytes = reader.take(
    Math.min(await reader.fill(RECORD_LOG_HEADER_BYTES), RECORD_LOG_HEADER_BYTES),
  );
  let header = classifyHeader(headerBytes);
  // H1 also needs every byte after the header to be zero: a crash during creation leaves nothing else.
  if (header.kind === 'torn' && !(await reader.restIsZero())) header = classifyHeader(headerBytes, false);
  if (header.kind === 'torn') return end('torn-header', 0, 0); // H1
  if (header.kind === 'bad-magic') {
    // H2
    throw new FormatError('not a record log: bad magic', {
      path,
      offset: 0,
      expected: 'VRLG',
      actual: hexBytes(headerBytes.subarray(0, 4)),
    });
  }
  if (header.kind === 'bad-version') {
    // H3
    throw new FormatError('unsupported record log version', {
      path,
      offset: 4,
      expected: RECORD_LOG_VERSION,
      actual: header.version ?? hexBytes(headerBytes.subarray(4)),
    });
  }

  for (let index = 0; ; index++) {
    const frameStart = reader.offset;
    const remaining = reader.remaining();
    if (remaining === 0) return end('clean-end', index, frameStart); // F0
    // F1: fewer than 12 bytes left (also when the file shrank while open and the read came back short).
    // Rule Z: zero-filled when every byte from the frame start to EOF is zero, torn otherwise.
    if (
      remaining < RECORD_FRAME_HEADER_BYTES ||
      (await reader.fill(RECORD_FRAME_HEADER_BYTES)) < RECORD_FRAME_HEADER_BYTES
    ) {
      return end((await reader.restIsZero()) ? 'zero-filled-tail' : 'torn-tail', index, frameStart);
    }
    const frameHeader = reader.peek(RECORD_FRAME_HEADER_BYTES);
    const storedHeaderCrc = readU32(frameHeader, 4);
    const headerCrc = frameHeaderChecksum(frameHeader.subarray(0, 4));
    if (storedHeaderCrc !== headerCrc) {
      // F2: the torn-write rule (encoding/torn-write.ts) on the header, `len` being untrusted: a zero
      // sector-aligned chunk in the 12 header bytes and only zeros after them. An all-zero tail is one.
      reader.take(RECORD_FRAME_HEADER_BYTES);
      if (hasZeroSector(frameHeader, frameStart) && (await reader.restIsZero())) {
        return end('zero-filled-tail', index, frameStart);
      }
      // F3: any other header checksum mismatch is corruption, in both modes. A flipped bit in `len` lands
      // here, wherever it points: never read as a frame running past EOF.
      throw new CorruptionError('record header checksum mismatch', {
        path,
        offset: frameStart,
        expected: hex32(storedHeaderCrc),
        actual: hex32(headerCrc),
      });
    }
    // From here `len` is trusted.
    const len = readU32(frameHeader, 0);
    // F4, F5: caps, before anything sized by `len` is read or allocated.
    if (len > RECORD_LOG_MAX_RECORD_BYTES) {
      // F4: only a bad writer can produce this under a valid header checksum.
      throw new CorruptionError('record length above the format limit', {
        path,
        offset: frameStart,
        expected: `<= ${RECORD_LOG_MAX_RECORD_BYTES}`,
        actual: len,
      });
    }
    if (len > options.maxRecordBytes) {
      // F5
      throw new LimitExceededError('record length above maxRecordBytes', {
        path,
        offset: frameStart,
        expected: `<= ${options.maxRecordBytes}`,
        actual: len,
      });
    }
    const frameBytes = RECORD_FRAME_HEADER_BYTES + len;
    // F6: a checked header whose frame runs past EOF is a genuine torn tail (whatever the bytes present).
    if (remaining < frameBytes || (await reader.fill(frameBytes)) < frameBytes) {
      return end('torn-tail', index, frameStart);
    }
    const frame = reader.take(frameBytes);
    const payload = frame.subarray(RECORD_FRAME_HEADER_BYTES);
    const storedPayloadCrc = readU32(frame, 8);
    const payloadCrc = framePayloadChecksum(headerCrc, payload);
    if (storedPayloadCrc !== payloadCrc) {
      // F7: the torn-write rule on the whole frame: a zero sector-aligned chunk in it, only zeros after it.
      if (hasZeroSector(frame, frameStart) && (await reader.restIsZero())) {
        return end('zero-filled-tail', index, frameStart);
      }
      // F8: anything else is corruption, in both modes.
      throw new CorruptionError('record payload checksum mismatch', {
        path,
        offset: frameStart,
        expected: hex32(storedPayloadCrc),
        actual: hex32(payloadCrc),
      });
    }
    // F9: a valid frame. Decoding (and DecodeError, row F10) is the visitor's job.
    if (visit) await visit(payload, frameStart, index);
  }
}
