import type { FileReader } from '../directory.js';
import { InvalidStateError, NotFoundError } from '../errors.js';
import { type FilePart, partsInRange } from './file-state.js';
import type { ObjectStore } from './object-store.js';
import { forEachLimited, request } from './store-requests.js';

/** Ranged GETs in flight at once for one read. */
const READ_CONCURRENCY = 8;

/**
 * A listed part is gone or no longer has its listed size: the file was replaced or deleted after it was
 * listed. Internal: directory reads re-list and try again; a `FileReader` reports `NotFoundError`.
 */
export class StaleListingError extends Error {
  constructor(readonly key: string) {
    super(`object ${key} changed after it was listed`);
  }
}

/**
 * Bytes `[offset, offset + length)` of a file made of `parts` (clipped at `total`), stitched from one GET
 * per overlapping non-empty part (ranged where only part of it is needed).
 */
export async function readParts(
  store: ObjectStore,
  path: string,
  parts: readonly FilePart[],
  total: number,
  offset: number,
  length: number,
): Promise<Uint8Array> {
  const start = Math.min(offset, total);
  const end = Math.min(total, offset + length);
  const out = new Uint8Array(end - start);
  if (out.length === 0) return out;
  await forEachLimited(partsInRange(parts, start, end - start), READ_CONCURRENCY, async (part) => {
    const from = Math.max(start, part.start);
    const to = Math.min(end, part.start + part.size);
    const whole = from === part.start && to === part.start + part.size;
    let result: Awaited<ReturnType<ObjectStore['getObject']>>;
    try {
      result = await request('GET', path, () =>
        store.getObject(part.key, whole ? {} : { range: { start: from - part.start, length: to - from } }),
      );
    } catch (error) {
      if (NotFoundError.is(error)) throw new StaleListingError(part.key);
      throw error;
    }
    if (result.size !== part.size || result.body.length !== to - from) throw new StaleListingError(part.key);
    out.set(result.body, from - start);
  });
  return out;
}

/** Ranged reads of one file over the part index listed when it was opened. */
export class ObjectStoreFileReader implements FileReader {
  private closed = false;

  constructor(
    private readonly store: ObjectStore,
    readonly path: string,
    private readonly parts: readonly FilePart[],
    readonly length: number,
  ) {}

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (this.closed) throw new InvalidStateError('the reader is closed', { path: this.path });
    assertCount('offset', offset);
    assertCount('length', length);
    try {
      return await readParts(this.store, this.path, this.parts, this.length, offset, length);
    } catch (error) {
      if (error instanceof StaleListingError) {
        throw new NotFoundError('the file was replaced or deleted while a reader was open on it', {
          path: this.path,
          offset,
          actual: error.key,
        });
      }
      throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export function assertCount(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${value}`);
  }
}
