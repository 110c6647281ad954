import { frameBytes, writeFrame } from './wal-format.js';

/**
 * Encoded frames not yet handed to the backend, in entry-id order, split where the writer starts a new
 * segment. Frames are encoded once, straight into chunk memory; a chunk is written with one `write`.
 *
 * Memory: a chunk is `chunkBytes` plus a slack of `chunkBytes / 16` (at most `CHUNK_SLACK_BYTES`), or
 * one larger frame. The slack lets the frame that takes the buffer past `chunkBytes` (when the writer
 * hands it to the backend) land in the same chunk, and after a full buffer is taken the next frames start
 * a fresh chunk: a stream of full buffers is one contiguous write each. A small `take` (group commit)
 * keeps filling the rest of the same allocation, so frequent small commits do not allocate a chunk each.
 */

/** The largest slack beyond `chunkBytes` in a chunk (frames up to the slack never split a full buffer). */
export const CHUNK_SLACK_BYTES = 4096;

/** The buffered frames of one segment. `create` means the segment must be created before its frames. */
export interface PendingSegment {
  segmentId: number;
  startEntryId: number;
  create: boolean;
  chunks: Uint8Array[];
}

export class FrameBuffer {
  private parts: PendingSegment[] = [];
  private chunk: Uint8Array = new Uint8Array(0);
  /** A view of `chunk` for `writeFrame`'s checksums (one per chunk, not per frame). */
  private chunkView: DataView = new DataView(this.chunk.buffer);
  /** Start of the part of `chunk` not yet handed out. */
  private sealedUpTo = 0;
  private used = 0;
  private pendingBytes = 0;
  private readonly slackBytes: number;

  constructor(
    private readonly chunkBytes: number,
    private segmentId: number,
    private startEntryId: number,
  ) {
    this.slackBytes = Math.min(CHUNK_SLACK_BYTES, Math.floor(chunkBytes / 16));
  }

  /** Bytes buffered and not yet taken. */
  get bytes(): number {
    return this.pendingBytes;
  }

  /** Later frames go to a new segment `segmentId`, whose first frame is `startEntryId`. */
  rotate(segmentId: number, startEntryId: number): void {
    this.seal();
    this.segmentId = segmentId;
    this.startEntryId = startEntryId;
    this.parts.push({ segmentId, startEntryId, create: true, chunks: [] });
  }

  /** Encodes the frame of `payload` as entry `entryId` into the buffer. */
  append(entryId: number, payload: Uint8Array): void {
    const size = frameBytes(payload.length);
    if (this.parts.length === 0) {
      this.parts.push({
        segmentId: this.segmentId,
        startEntryId: this.startEntryId,
        create: false,
        chunks: [],
      });
    }
    if (this.chunk.length - this.used < size) {
      this.seal();
      this.useChunk(new Uint8Array(Math.max(this.chunkBytes + this.slackBytes, size)));
    }
    this.used = writeFrame(this.chunk, this.used, entryId, payload, this.chunkView);
    this.pendingBytes += size;
  }

  /** Everything buffered, in order; the buffer is empty afterwards. */
  take(): PendingSegment[] {
    this.seal();
    // A full buffer was taken and the next one may not fit in the rest of this chunk: start a fresh
    // chunk, so that the next full buffer is one contiguous view (one backend write).
    const room = this.chunk.length - this.used;
    if (this.pendingBytes >= this.chunkBytes && room < this.chunkBytes + this.slackBytes) this.retire();
    const parts = this.parts;
    this.parts = [];
    this.pendingBytes = 0;
    return parts;
  }

  /** Drops the current chunk (its taken views stay valid); the next `append` allocates a new one. */
  private retire(): void {
    this.useChunk(new Uint8Array(0));
  }

  /** Frames go into `bytes` from its start. */
  private useChunk(bytes: Uint8Array): void {
    this.chunk = bytes;
    this.chunkView = new DataView(bytes.buffer);
    this.sealedUpTo = 0;
    this.used = 0;
  }

  /** Moves the filled, not yet handed out part of the chunk into the last pending segment. */
  private seal(): void {
    if (this.used === this.sealedUpTo) return;
    this.parts.at(-1)!.chunks.push(this.chunk.subarray(this.sealedUpTo, this.used));
    this.sealedUpTo = this.used;
  }
}
