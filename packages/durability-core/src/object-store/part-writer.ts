import type { FileWriter } from '../directory.js';
import { InvalidStateError, LockedError } from '../errors.js';
import type { KeyLayout } from './key-layout.js';
import type { ObjectStore } from './object-store.js';
import { claimKey, ownerOf } from './store-requests.js';

/** Where a writer starts: the generation it writes and the first slot it may claim. */
export interface WriterPosition {
  gen: number;
  nextSlot: number;
  length: number;
}

/**
 * Writer of one file as immutable part objects: `write` buffers, `flush`/`sync`/`close` PUT what is
 * buffered as ONE part at the next slot, `If-None-Match: *`. Slots are claimed one after another, so a
 * failed claim means another writer claimed that slot after this one opened: this writer is fenced, rejects
 * with `LockedError` and never writes again (fail-stop, as is every other failure).
 *
 * Fencing with nothing to write: `sync` and `close` still prove, before they resolve, that no one has
 * claimed this writer's next slot since the last barrier: either a part PUT since then succeeded, or a HEAD
 * of the next slot finds it free. A HEAD gives the same linearisation point as a conditional "seal" PUT
 * (a successor's claim either precedes it and is seen, or follows it and fences every later PUT), at the
 * price of a read and without leaving an object behind.
 */
export class ObjectStoreFileWriter implements FileWriter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private written: number;
  private nextSlot: number;
  private closed = false;
  private failure: unknown;
  /** A PUT or a probe since the last barrier proved the next slot was still this writer's to claim. */
  private verified = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly layout: KeyLayout,
    readonly path: string,
    private readonly gen: number,
    position: WriterPosition,
    private readonly token: string,
    private readonly maxPartBytes: number,
  ) {
    this.written = position.length;
    this.nextSlot = position.nextSlot;
  }

  get length(): number {
    return this.written;
  }

  async write(bytes: Uint8Array): Promise<void> {
    this.checkUsable();
    if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
    if (bytes.length === 0) return;
    this.pending.push(bytes.slice());
    this.pendingBytes += bytes.length;
    this.written += bytes.length;
    if (this.pendingBytes >= this.maxPartBytes) await this.putPending();
  }

  async flush(): Promise<void> {
    this.checkUsable();
    await this.putPending();
  }

  async sync(): Promise<void> {
    this.checkUsable();
    await this.barrier();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.failure !== undefined) throw this.failure;
    await this.barrier();
  }

  /** Every written byte is in a part, and this writer was not fenced when the barrier resolved. */
  private async barrier(): Promise<void> {
    if (this.pendingBytes > 0) await this.putPending();
    else if (!this.verified) await this.guard(() => this.probe());
    this.verified = false;
  }

  private async putPending(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const body = concat(this.pending, this.pendingBytes);
    const slot = this.nextSlot;
    await this.guard(async () => {
      const key = this.layout.partKey(this.path, this.gen, slot);
      const outcome = await claimKey(this.store, key, body, this.token, 'data', this.path);
      if (outcome === 'taken') throw this.fenced(key);
    });
    this.nextSlot = slot + 1;
    this.pending = [];
    this.pendingBytes = 0;
    this.verified = true;
  }

  private async probe(): Promise<void> {
    const key = this.layout.partKey(this.path, this.gen, this.nextSlot);
    if ((await ownerOf(this.store, key, this.path)) !== undefined) throw this.fenced(key);
    this.verified = true;
  }

  /** Runs `work`; any failure poisons the writer (fail-stop: the outcome of what follows is unknowable). */
  private async guard(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.failure ??= error;
      throw error;
    }
  }

  private fenced(key: string): LockedError {
    return new LockedError(
      'another writer claimed the next part of this file after this writer opened it: this writer is fenced',
      { path: this.path, offset: this.written - this.pendingBytes, expected: 'a free slot', actual: key },
    );
  }

  private checkUsable(): void {
    if (this.closed) throw new InvalidStateError('the writer is closed', { path: this.path });
    if (this.failure !== undefined) throw this.failure;
  }
}

function concat(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}
