import { crc32View } from '../checksum/crc32.js';
import type { Directory } from '../directory.js';
import { readU32, readU64 } from '../encoding/little-endian.js';
import { SequentialReader } from '../encoding/sequential-reader.js';
import { hasZeroSector } from '../encoding/torn-write.js';
import { CorruptionError, FormatError, LimitExceededError, TornTailError } from '../errors.js';
import type { ReplayMode, StopReason } from './replay-report.js';
import { readSegmentHeader } from './segment-header-check.js';
import type { SegmentFile } from './segment-name.js';
import { hex32 } from './torn-write.js';
import { decodeFrameHeader, FRAME_HEADER_BYTES, frameChecksum, MAX_WAL_ENTRY_BYTES } from './wal-format.js';

/**
 * Reads and validates one segment front to back in bounded chunks (`SequentialReader`), handing every
 * valid frame to a visitor. It implements the frame rows (W0–W10) of the recovery decision table in
 * FORMAT.md § WAL segment; the comments name them. The segment header's rows (S1–S5) are in
 * segment-header-check.ts.
 *
 * Only the final segment may end in a torn write (rows W1, W2, W7, W8): strict replay throws
 * `TornTailError`, best-effort stops there. The same damage in any other segment is `CorruptionError`.
 * A checksum mismatch (W2/W3 on the frame header, W8/W9 on the frame) is judged by the torn-write rule
 * shared with the record log (`encoding/torn-write.ts`): torn if and only if the damaged frame holds an
 * all-zero sector-aligned chunk (`hasZeroSector`, a lost sector) and every byte after it to EOF is zero.
 */

export interface FrameLocation {
  path: string;
  segmentId: number;
  /** Byte offset of the frame's first header byte. */
  offset: number;
}

/**
 * Receives each valid frame in order; may return a promise (awaited before the next frame). `at` is
 * reused from frame to frame (one object per segment, so a million-frame replay allocates no location
 * objects): read or copy it during the call, do not keep it.
 */
export type FrameVisitor = (entryId: number, payload: Uint8Array, at: FrameLocation) => void | Promise<void>;

export interface SegmentScanOptions {
  mode: ReplayMode;
  maxEntryBytes: number;
  readChunkBytes?: number;
  /** True for the last segment of the WAL: the only one whose tail may be torn. */
  isFinal: boolean;
  /** The id the segment's first frame must have; `undefined` when no earlier segment says. */
  expectedStartEntryId: number | undefined;
  onFrame?: FrameVisitor;
  /** Validate the header only (its frames are not read; `lastEntryId` is then unknown). */
  headerOnly?: boolean;
}

export interface SegmentOutcome {
  /** The header's `start_entry_id`; `undefined` when the header is torn. */
  startEntryId: number | undefined;
  lastEntryId: number | undefined;
  entries: number;
  /** The file's length when it was opened. */
  bytes: number;
  /** Offset just past the last valid frame (or header): where a repair truncates to. */
  validBytes: number;
  stop: StopReason;
}

/** What a header-only scan reads at once (the 28-byte header, or a torn one's zero tail in steps). */
const HEADER_ONLY_CHUNK_BYTES = 4096;

export async function scanSegment(
  dir: Directory,
  file: SegmentFile,
  options: SegmentScanOptions,
): Promise<SegmentOutcome> {
  const reader = await dir.openReader(file.path);
  // A header-only scan reads one small chunk: not a full chunk and its read-ahead per segment.
  const input = new SequentialReader(
    reader,
    options.headerOnly
      ? { chunkBytes: HEADER_ONLY_CHUNK_BYTES, readAhead: false }
      : { chunkBytes: options.readChunkBytes },
  );
  try {
    const start = await readSegmentHeader(input, file, options);
    if (start === undefined) return outcome(input, undefined, 0, 0, 'torn-segment-header');
    if (options.headerOnly) return outcome(input, start, 0, input.offset, 'clean-end');
    return await new FrameScan(file, options, input, start).run();
  } finally {
    await input.settle();
    await reader.close();
  }
}

function outcome(
  input: SequentialReader,
  start: number | undefined,
  entries: number,
  validBytes: number,
  stop: StopReason,
): SegmentOutcome {
  const lastEntryId = start !== undefined && entries > 0 ? start + entries - 1 : undefined;
  return { startEntryId: start, lastEntryId, entries, bytes: input.length, validBytes, stop };
}

class FrameScan {
  /** The id the next frame must carry. */
  private entryId: number;
  private entries = 0;
  /** The location handed to `onFrame`, updated in place for each frame. */
  private readonly at: FrameLocation;

  constructor(
    private readonly file: SegmentFile,
    private readonly options: SegmentScanOptions,
    private readonly input: SequentialReader,
    private readonly start: number,
  ) {
    this.entryId = start;
    this.at = { path: file.path, segmentId: file.segmentId, offset: 0 };
  }

  async run(): Promise<SegmentOutcome> {
    const { input, options } = this;
    for (;;) {
      const visiting = this.deliverBuffered();
      if (visiting !== undefined) await visiting;
      const offset = input.offset;
      const remaining = input.remaining();
      if (remaining === 0) return outcome(input, this.start, this.entries, offset, 'clean-end'); // W0
      // W1: fewer than 20 bytes left: an incomplete frame header, whatever its bytes.
      if (remaining < FRAME_HEADER_BYTES) return this.cutHeader(offset);
      if (input.buffered() < FRAME_HEADER_BYTES) await input.fill(FRAME_HEADER_BYTES);
      const window = input.peekInPlace(FRAME_HEADER_BYTES);
      const raw = decodeFrameHeader(window.bytes, window.index);
      if (raw.storedHeaderCrc !== raw.computedHeaderCrc) {
        // W2: the length is untrusted, so the torn-write rule looks at the 20 header bytes: a zero
        // sector-aligned chunk among them (a lost sector) and only zeros after them to EOF. An all-zero
        // tail from this frame start is one. W3: anything else is corruption, wherever the length points.
        const header = input.take(FRAME_HEADER_BYTES);
        const torn = options.isFinal && hasZeroSector(header, offset) && (await input.restIsZero());
        return this.tornOrCorrupt(torn, 'zero-filled-tail', offset, () =>
          this.corruption(
            'frame header checksum mismatch',
            offset,
            hex32(raw.storedHeaderCrc),
            hex32(raw.computedHeaderCrc),
          ),
        );
      }
      // W4: from here the header is trusted; the id must continue the sequence.
      if (raw.entryId === undefined)
        throw new FormatError('frame entry id exceeds 2^53-1', this.where(offset + 4));
      if (raw.entryId !== this.entryId) {
        throw new CorruptionError('entry id out of sequence', {
          ...this.where(offset + 4),
          expected: this.entryId,
          actual: raw.entryId,
        });
      }
      // W5, W6: both caps are checked before anything sized by the length is read or allocated.
      if (raw.payloadLength > MAX_WAL_ENTRY_BYTES) {
        throw this.corruption(
          'frame payload length exceeds the 16 MiB format cap',
          offset,
          `≤ ${MAX_WAL_ENTRY_BYTES}`,
          raw.payloadLength,
        );
      }
      if (raw.payloadLength > options.maxEntryBytes) {
        throw new LimitExceededError('frame payload length exceeds maxEntryBytes', {
          ...this.where(offset),
          expected: `≤ ${options.maxEntryBytes}`,
          actual: raw.payloadLength,
        });
      }
      const total = FRAME_HEADER_BYTES + raw.payloadLength;
      // W7: a checked header whose frame runs past EOF: a genuine torn tail, whatever the bytes present.
      if (total > remaining) {
        return this.tornOrCorrupt(true, 'torn-tail', offset, () =>
          this.corruption(
            'frame runs past the end of a non-final segment',
            offset,
            `${total} bytes`,
            `${remaining} bytes`,
          ),
        );
      }
      if (input.buffered() < total) await input.fill(total);
      // The whole frame is buffered now; one view (the payload) per frame on the valid path.
      input.skip(FRAME_HEADER_BYTES);
      const payload = input.take(raw.payloadLength);
      const actual = frameChecksum(raw.storedHeaderCrc, payload);
      if (actual !== raw.frameCrc) {
        // W8: the torn-write rule on the whole frame: a zero sector-aligned chunk in it, only zeros
        // after it to EOF. W9: anything else is corruption.
        const frame = input.consumed(total);
        const torn = options.isFinal && hasZeroSector(frame, offset) && (await input.restIsZero());
        return this.tornOrCorrupt(torn, 'zero-filled-tail', offset, () =>
          this.corruption('frame checksum mismatch', offset, hex32(raw.frameCrc), hex32(actual)),
        );
      }
      // W10: a valid frame (decoding, and DecodeError, is the visitor's job: row W11).
      if (options.onFrame) {
        this.at.offset = offset;
        const pending = options.onFrame(this.entryId, payload, this.at);
        if (pending !== undefined) await pending;
      }
      this.entries++;
      this.entryId++;
    }
  }

  /**
   * The fast path of row W10: delivers, without awaiting anything, every frame that is wholly buffered
   * and passes every check of the decision table (header CRC, entry id, both length caps, frame CRC).
   * It stops at the first frame that needs a refill or fails any check, and `run` then takes that frame
   * through the full table (which reaches the same verdict for a valid frame and the right error or torn
   * tail for any other): this path accepts nothing the table would reject. Returns the visitor's promise
   * when it returns one (awaited before the next frame).
   */
  private deliverBuffered(): Promise<void> | undefined {
    const { input, options, at } = this;
    const { onFrame } = options;
    const cap = Math.min(options.maxEntryBytes, MAX_WAL_ENTRY_BYTES);
    const window = input.peekInPlace(0);
    const { bytes, view } = window;
    const end = bytes.length;
    // `index` runs ahead of the reader over the frames accepted so far; the reader catches up (one
    // `skip` to `index`) before anything that can observe it: the visitor, or the return.
    let index = window.index;
    let accepted = index;
    try {
      while (end - index >= FRAME_HEADER_BYTES) {
        const length = readU32(bytes, index);
        const headerCrc = readU32(bytes, index + 12);
        const payloadStart = index + FRAME_HEADER_BYTES;
        const payloadEnd = payloadStart + length;
        if (
          length > cap ||
          payloadEnd > end ||
          headerCrc !== crc32View(view, index, index + 12) ||
          readU64(bytes, index + 4) !== this.entryId ||
          readU32(bytes, index + 16) !== crc32View(view, payloadStart, payloadEnd, headerCrc)
        ) {
          return undefined;
        }
        const entryId = this.entryId;
        this.entries++;
        this.entryId++;
        index = payloadEnd;
        if (!onFrame) continue; // a validating scan (resume) makes no view of the payload
        input.skip(payloadEnd - accepted);
        accepted = payloadEnd;
        at.offset = input.offset - FRAME_HEADER_BYTES - length;
        const pending = onFrame(entryId, bytes.subarray(payloadStart, payloadEnd), at);
        if (pending !== undefined) return pending;
      }
      return undefined;
    } finally {
      if (index > accepted) input.skip(index - accepted);
    }
  }

  /**
   * Fewer than 20 bytes left (row W1): an incomplete frame header. No complete frame can hide in them, so
   * in the final segment they are a torn tail (`zero-filled-tail` when all zero), as in the record log.
   */
  private async cutHeader(offset: number): Promise<SegmentOutcome> {
    const remaining = this.input.remaining();
    const zero = this.options.isFinal && (await this.input.restIsZero());
    return this.tornOrCorrupt(true, zero ? 'zero-filled-tail' : 'torn-tail', offset, () =>
      this.corruption('incomplete frame header', offset, `${FRAME_HEADER_BYTES} bytes`, `${remaining} bytes`),
    );
  }

  private tornOrCorrupt(
    torn: boolean,
    reason: StopReason,
    offset: number,
    corruption: () => Error,
  ): SegmentOutcome {
    if (!this.options.isFinal || !torn) throw corruption();
    if (this.options.mode === 'strict') {
      throw new TornTailError(`final segment ends in a ${reason} (strict replay)`, {
        ...this.where(offset),
        expected: `entry ${this.entryId} or end of segment`,
        actual: `${this.input.length - offset} trailing bytes`,
      });
    }
    return outcome(this.input, this.start, this.entries, offset, reason);
  }

  private corruption(message: string, offset: number, expected: unknown, actual: unknown): CorruptionError {
    return new CorruptionError(message, { ...this.where(offset), expected, actual });
  }

  private where(offset: number): { path: string; segmentId: number; offset: number } {
    return { path: this.file.path, segmentId: this.file.segmentId, offset };
  }
}
