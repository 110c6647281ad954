import { frameBytes, writeFrame } from './wal-format.js';

/**
 * Encoded frames not yet handed to the backend, in entry-id order, split where the writer starts a new
 * segment. Frames are encoded once, straight into chunk memory; a chunk is written with one `write`.
 *
 * Memory: a chunk is `chunkBytes` (or one larger frame). `take` hands the filled part of the current
 * chunk to the caller and keeps filling the rest of the same allocation, so frequent small commits (group
 * commit) do not allocate a chunk each.
 */

/** The buffered frames of one segment. `create` means the segment must be created before its frames. */
export interface PendingSegment {
  segmentId: number;
  startEntryId: number;
  create: boolean;
  chunks: Uint8Array[];
}

export class FrameBuffer {
  private parts: PendingSegment[] = [];
  private chunk = new Uint8Array(0);
  /** Start of the part of `chunk` not yet handed out. */
  private sealedUpTo = 0;
  private used = 0;
  private pendingBytes = 0;

  constructor(
    private readonly chunkBytes: number,
    private segmentId: number,
    private startEntryId: number,
  ) {}

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
      this.chunk = new Uint8Array(Math.max(this.chunkBytes, size));
      this.sealedUpTo = 0;
      this.used = 0;
    }
    this.used = writeFrame(this.chunk, this.used, entryId, payload);
    this.pendingBytes += size;
  }

  /** Everything buffered, in order; the buffer is empty afterwards. */
  take(): PendingSegment[] {
    this.seal();
    const parts = this.parts;
    this.parts = [];
    this.pendingBytes = 0;
    return parts;
  }

  /** Moves the filled, not yet handed out part of the chunk into the last pending segment. */
  private seal(): void {
    if (this.used === this.sealedUpTo) return;
    this.parts.at(-1)!.chunks.push(this.chunk.subarray(this.sealedUpTo, this.used));
    this.sealedUpTo = this.used;
  }
}
