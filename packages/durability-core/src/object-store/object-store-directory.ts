import type { DirectoryCapabilities, DurableDirectory, FileReader, FileWriter } from '../directory.js';
import { AlreadyExistsError, IoError, LockedError, NotFoundError } from '../errors.js';
import { parentPath } from '../paths.js';
import { type FilePart, type FileState, readFileState } from './file-state.js';
import { FILE_MARK, KeyLayout } from './key-layout.js';
import type { ObjectStore } from './object-store.js';
import { assertCount, ObjectStoreFileReader, readParts, StaleListingError } from './part-reader.js';
import { ObjectStoreFileWriter } from './part-writer.js';
import {
  anyKeyUnder,
  claimKey,
  deleteIdempotent,
  forEachLimited,
  listAll,
  putIdempotent,
  request,
} from './store-requests.js';

export interface ObjectStoreDirectoryOptions {
  /**
   * Key prefix every object of this directory lives under, e.g. `'tenants/a/'` (a missing trailing `/`
   * is added). Default `''`: the whole bucket. Two directories share state exactly when they share the
   * store and the prefix.
   */
  prefix?: string;
  /**
   * A writer that buffers this many bytes without a flush PUTs them as a part on its own, bounding its
   * memory. Default 8 MiB.
   */
  maxPartBytes?: number;
}

const CAPABILITIES: DirectoryCapabilities = Object.freeze({
  durableSync: true,
  atomicRename: false,
  nativeAppend: false,
  filePaths: false,
  crossProcessLock: true,
});

export const DEFAULT_MAX_PART_BYTES = 8 * 1024 * 1024;
/** Re-lists after losing a claim to a concurrent writer, or after a listed part vanished, before giving up. */
const MAX_CONTENDED_ATTEMPTS = 16;
/** DELETEs in flight at once when removing many keys. */
const DELETE_CONCURRENCY = 8;
const EMPTY = new Uint8Array(0);

/** One slot of a generation being built: its size is known, its bytes are fetched when written. */
interface Piece {
  size: number;
  load(): Promise<Uint8Array>;
}

/**
 * A `DurableDirectory` over an S3-style object store (FORMAT.md § Object-store layout). It does no I/O
 * of its own: every byte goes through `store`.
 *
 * - A file is a sequence of immutable part objects, one per flush, in numbered generations; the highest
 *   generation that has a head (slot 0) is the file's content. Replacing a file (`createFile` over an
 *   existing one, `truncate`, `atomicWrite`, the target of `rename`) builds the next generation and
 *   publishes it with ONE conditional PUT of its head, so readers and a crash see the old content or the
 *   new, never a mix.
 * - Every slot is created with `If-None-Match: *`, one after another: a writer whose next slot another
 *   writer has claimed (by `appendFile`, which claims a fence slot at once, or by a replacement, which
 *   seals the generation) gets `LockedError` and writes nothing more.
 * - A completed PUT is durable, so `sync`, `syncFile` and `syncParentDir` are barriers with nothing to
 *   flush to disk (`durableSync: true`); `atomicWriteDurable` is one PUT. `rename` is a copy and a delete
 *   (`atomicRename: false`); `createExclusive` is a conditional PUT (`crossProcessLock: true`).
 * - Failures of the store pass through typed; the directory retries nothing whose outcome is known
 *   (throttling is the store client's to retry) and resolves unknown outcomes by reading back.
 */
export class ObjectStoreDirectory implements DurableDirectory {
  readonly capabilities: DirectoryCapabilities = CAPABILITIES;
  /** Where the directory's keys live. */
  readonly layout: KeyLayout;
  private readonly maxPartBytes: number;

  constructor(
    readonly store: ObjectStore,
    options: ObjectStoreDirectoryOptions = {},
  ) {
    this.layout = new KeyLayout(options.prefix);
    const maxPartBytes = options.maxPartBytes ?? DEFAULT_MAX_PART_BYTES;
    if (!Number.isSafeInteger(maxPartBytes) || maxPartBytes < 1) {
      throw new RangeError(`maxPartBytes must be a positive safe integer, got ${maxPartBytes}`);
    }
    this.maxPartBytes = maxPartBytes;
  }

  // ── writing ───────────────────────────────────────────────────────────────────────────────────────

  async createFile(path: string): Promise<FileWriter> {
    this.layout.check(path);
    const token = randomToken();
    const gen = await this.publish(path, () => [], { seal: true, token });
    return this.writer(path, gen, { gen, nextSlot: 1, length: 0 }, token);
  }

  async appendFile(path: string): Promise<FileWriter> {
    this.layout.check(path);
    const token = randomToken();
    for (let attempt = 0; attempt < MAX_CONTENDED_ATTEMPTS; attempt++) {
      const state = await readFileState(this.store, this.layout, path);
      const current = state.current;
      if (current) {
        // Claim the next slot now: every earlier writer of this generation is fenced from here on.
        const slot = current.lastSlot + 1;
        const key = this.layout.slotKey(path, current.gen, slot);
        if ((await claimKey(this.store, key, EMPTY, token, 'fence', path)) === 'ours') {
          return this.writer(
            path,
            current.gen,
            { gen: current.gen, nextSlot: slot + 1, length: current.length },
            token,
          );
        }
      } else {
        const gen = state.maxGen + 1;
        const key = this.layout.headKey(path, gen);
        if ((await claimKey(this.store, key, EMPTY, token, 'head', path)) === 'ours') {
          await this.removeSuperseded(path, state.objects);
          return this.writer(path, gen, { gen, nextSlot: 1, length: 0 }, token);
        }
      }
    }
    throw contended(path);
  }

  async createExclusive(path: string, bytes: Uint8Array): Promise<void> {
    this.layout.check(path);
    assertBytes(bytes);
    const copy = bytes.slice();
    await this.publish(path, () => [whole(copy)], { seal: false, exclusive: true, token: randomToken() });
  }

  async atomicWrite(path: string, bytes: Uint8Array): Promise<void> {
    this.layout.check(path);
    assertBytes(bytes);
    const copy = bytes.slice();
    await this.publish(path, () => [whole(copy)], { seal: false, token: randomToken() });
  }

  async truncate(path: string, length: number): Promise<void> {
    this.layout.check(path);
    assertCount('length', length);
    const state = await readFileState(this.store, this.layout, path);
    if (!state.current) throw missing(path);
    if (length > state.current.length) {
      throw new RangeError(
        `truncate length ${length} is greater than the size ${state.current.length} of ${path}`,
      );
    }
    if (length === state.current.length) return;
    await this.publish(path, (sealed) => this.piecesOf(path, sealed, length), {
      seal: true,
      token: randomToken(),
      initial: state,
    });
  }

  async rename(from: string, to: string): Promise<void> {
    this.layout.check(from);
    this.layout.check(to);
    const source = await readFileState(this.store, this.layout, from);
    if (!source.current) throw missing(from);
    if (from === to) return;
    const length = source.current.length;
    await this.publish(to, () => this.piecesOf(from, source, length), { seal: true, token: randomToken() });
    await this.delete(from);
  }

  async mkdirp(dir: string): Promise<void> {
    this.layout.check(dir, { allowRoot: true });
    if (dir === '') return;
    const segments = dir.split('/');
    for (let i = 1; i <= segments.length; i++) {
      const ancestor = segments.slice(0, i).join('/');
      if (await this.isFile(ancestor)) {
        throw new IoError('a file is in the way of the directory', { path: ancestor, errno: 'ENOTDIR' });
      }
    }
    if (await anyKeyUnder(this.store, this.layout.dirPrefix(dir), dir)) return;
    await putIdempotent(this.store, this.layout.dirMarkerKey(dir), EMPTY, dir);
  }

  async delete(path: string): Promise<void> {
    this.layout.check(path);
    const [file, tree] = await Promise.all([
      listAll(this.store, { prefix: this.layout.filePrefix(path) }, path),
      listAll(this.store, { prefix: this.layout.dirPrefix(path) }, path),
    ]);
    const keys = [...file.objects, ...tree.objects].map((object) => object.key);
    if (keys.length === 0) return;
    await this.keepParent(path);
    // Heads first, oldest generation first and each file's current head last among its own: a file
    // vanishes whole the moment its current head is gone, and a crash part-way never shows an older
    // generation or a file without its head. Parts and markers follow.
    const heads = keys.filter((key) => this.isHeadKey(key)).sort(compareKeys);
    const rest = keys.filter((key) => !this.isHeadKey(key));
    for (const key of heads) await deleteIdempotent(this.store, key, path);
    await forEachLimited(rest, DELETE_CONCURRENCY, (key) => deleteIdempotent(this.store, key, path));
  }

  // ── reading ───────────────────────────────────────────────────────────────────────────────────────

  async readFile(path: string): Promise<Uint8Array> {
    this.layout.check(path);
    return this.readListed(path, (state) =>
      readParts(this.store, path, state.parts, state.length, 0, state.length),
    );
  }

  async read(path: string, offset: number, length: number): Promise<Uint8Array> {
    this.layout.check(path);
    assertCount('offset', offset);
    assertCount('length', length);
    return this.readListed(path, (state) =>
      readParts(this.store, path, state.parts, state.length, offset, length),
    );
  }

  async openReader(path: string): Promise<FileReader> {
    this.layout.check(path);
    const state = await readFileState(this.store, this.layout, path);
    if (!state.current) throw missing(path);
    return new ObjectStoreFileReader(this.store, path, state.current.parts, state.current.length);
  }

  async size(path: string): Promise<number> {
    this.layout.check(path);
    const state = await readFileState(this.store, this.layout, path);
    if (!state.current) throw missing(path);
    return state.current.length;
  }

  async exists(path: string): Promise<boolean> {
    this.layout.check(path, { allowRoot: true });
    if (path === '') return true;
    const [dir, file] = await Promise.all([
      anyKeyUnder(this.store, this.layout.dirPrefix(path), path),
      this.isFile(path),
    ]);
    return dir || file;
  }

  async list(dir: string): Promise<string[]> {
    this.layout.check(dir, { allowRoot: true });
    const prefix = this.layout.dirPrefix(dir);
    const { objects, commonPrefixes } = await listAll(this.store, { prefix, delimiter: '/' }, dir);
    const names = new Set<string>();
    for (const object of objects) {
      const name = this.layout.childName(dir, object.key, false);
      if (name !== undefined) names.add(name);
    }
    for (const common of commonPrefixes) {
      const name = this.layout.childName(dir, common, true);
      if (name !== undefined) names.add(name);
    }
    // S3 lists in UTF-8 byte order; the contract wants code-unit order (they differ above U+FFFF).
    return [...names].sort();
  }

  filePath(path: string): string | undefined {
    this.layout.check(path, { allowRoot: true });
    return undefined;
  }

  // ── durable operations: a completed PUT is already durable ─────────────────────────────────────────

  /** Nothing to do: every byte a writer flushed is in a completed, durable PUT. */
  async syncFile(path: string): Promise<void> {
    this.layout.check(path);
  }

  /** Nothing to do: a file is listed once its head PUT completed, and a directory exists through its keys. */
  async syncParentDir(path: string): Promise<void> {
    this.layout.check(path);
  }

  /** One conditional PUT of the new generation's head (plus the LIST before and cleanup DELETEs after). */
  async atomicWriteDurable(path: string, bytes: Uint8Array): Promise<void> {
    await this.atomicWrite(path, bytes);
  }

  /** Copy then delete: NOT atomic (`capabilities.atomicRename` is false). Core never relies on it here. */
  async atomicRenameDurable(from: string, to: string): Promise<void> {
    await this.rename(from, to);
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────────

  private writer(
    path: string,
    gen: number,
    position: { gen: number; nextSlot: number; length: number },
    token: string,
  ) {
    return new ObjectStoreFileWriter(this.store, this.layout, path, gen, position, token, this.maxPartBytes);
  }

  /**
   * Publishes a new generation of `path` built by `build` (called on the state the new generation
   * replaces): slots `n-1 … 1` are written first, the head (slot 0) last, so the generation becomes the
   * file's content in one PUT. With `seal`, the current generation's next slot is claimed first, fencing
   * its writers. Superseded keys are removed afterwards. Returns the new generation.
   */
  private async publish(
    path: string,
    build: (state: FileState) => Piece[],
    options: { seal: boolean; exclusive?: boolean; token: string; initial?: FileState },
  ): Promise<number> {
    let state = options.initial ?? (await readFileState(this.store, this.layout, path));
    for (let attempt = 0; attempt < MAX_CONTENDED_ATTEMPTS; attempt++) {
      if (attempt > 0) state = await readFileState(this.store, this.layout, path);
      if (options.exclusive && state.current) throw exists(path);
      if (options.seal) {
        const sealed = await this.seal(path, state, options.token);
        if (!sealed) continue;
        state = sealed;
      }
      const gen = state.maxGen + 1;
      try {
        const pieces = build(state);
        for (let slot = pieces.length - 1; slot >= 1; slot--) {
          const key = this.layout.partKey(path, gen, slot);
          const body = await pieces[slot]!.load();
          if ((await claimKey(this.store, key, body, options.token, 'data', path)) === 'taken')
            throw new StaleListingError(key);
        }
        const head = pieces.length > 0 ? await pieces[0]!.load() : EMPTY;
        const key = this.layout.headKey(path, gen);
        if ((await claimKey(this.store, key, head, options.token, 'head', path)) === 'ours') {
          await this.removeSuperseded(path, state.objects);
          return gen;
        }
      } catch (error) {
        if (!(error instanceof StaleListingError)) throw error;
      }
      if (options.exclusive) throw exists(path);
    }
    throw contended(path);
  }

  /** Claims the next slot of the current generation; `undefined` when another writer claimed it first. */
  private async seal(path: string, state: FileState, token: string): Promise<FileState | undefined> {
    const current = state.current;
    if (!current) return state;
    const slot = current.lastSlot + 1;
    const key = this.layout.slotKey(path, current.gen, slot);
    if ((await claimKey(this.store, key, EMPTY, token, 'fence', path)) === 'taken') return undefined;
    const fence: FilePart = { slot, key, size: 0, start: current.length };
    return {
      ...state,
      objects: [...state.objects, { key, size: 0 }],
      current: { ...current, parts: [...current.parts, fence], lastSlot: slot },
    };
  }

  /** The non-empty slots holding the first `length` bytes of `state`'s content, the last one cut short. */
  private piecesOf(path: string, state: FileState, length: number): Piece[] {
    const pieces: Piece[] = [];
    for (const part of state.current?.parts ?? []) {
      if (part.size === 0 || part.start >= length) continue;
      const size = Math.min(part.size, length - part.start);
      pieces.push({
        size,
        load: () => readParts(this.store, path, [part], part.start + size, part.start, size),
      });
    }
    return pieces;
  }

  /** Runs a read on the current listing, listing again when a part vanished under it (a concurrent replacement). */
  private async readListed<T>(
    path: string,
    read: (current: NonNullable<FileState['current']>) => Promise<T>,
  ): Promise<T> {
    for (let attempt = 0; attempt < MAX_CONTENDED_ATTEMPTS; attempt++) {
      const state = await readFileState(this.store, this.layout, path);
      if (!state.current) throw missing(path);
      try {
        return await read(state.current);
      } catch (error) {
        if (!(error instanceof StaleListingError)) throw error;
      }
    }
    throw contended(path);
  }

  /** True when `path` is a file: some generation of it has a head. */
  private async isFile(path: string): Promise<boolean> {
    const { objects } = await listAll(
      this.store,
      { prefix: this.layout.filePrefix(path), delimiter: '/' },
      path,
    );
    return objects.some((object) => this.isHeadKey(object.key));
  }

  private isHeadKey(key: string): boolean {
    const mark = key.lastIndexOf(FILE_MARK);
    return mark >= 0 && /^\d{20}$/.test(key.slice(mark + 1));
  }

  /** Deleting `path` must leave its parent in place: give the parent a marker unless it is the root. */
  private async keepParent(path: string): Promise<void> {
    const parent = parentPath(path);
    if (parent === '') return;
    const marker = this.layout.dirMarkerKey(parent);
    try {
      await request('HEAD', parent, () => this.store.headObject(marker));
    } catch (error) {
      if (!NotFoundError.is(error)) throw error;
      await putIdempotent(this.store, marker, EMPTY, parent);
    }
  }

  /**
   * Removes the data of superseded generations, keeping their empty objects (fences, seals, empty heads).
   * Those are what fence older writers: a writer's next slot is always the first slot of the next run of
   * claims, which is an empty fence (or the seal). Deleting one would let a stale writer PUT into it and be
   * told it succeeded; data slots are no writer's next slot, so deleting them is safe. The empty objects go
   * when the file is deleted. A failure leaves garbage the next replacement or `delete` removes: never an
   * error.
   */
  private async removeSuperseded(
    path: string,
    objects: readonly { key: string; size: number }[],
  ): Promise<void> {
    const data = objects.filter((object) => object.size > 0).map((object) => object.key);
    await forEachLimited(data, DELETE_CONCURRENCY, (key) => deleteIdempotent(this.store, key, path)).catch(
      () => undefined,
    );
  }
}

function whole(bytes: Uint8Array): Piece {
  return { size: bytes.length, load: async () => bytes };
}

function assertBytes(bytes: unknown): asserts bytes is Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array');
}

/** Byte order of keys (S3's), which for the ASCII digits that order heads is code-unit order too. */
function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function missing(path: string): NotFoundError {
  return new NotFoundError('no such file', { path });
}

function exists(path: string): AlreadyExistsError {
  return new AlreadyExistsError('the file already exists', { path });
}

function contended(path: string): LockedError {
  return new LockedError(
    `other writers kept changing the file: gave up after ${MAX_CONTENDED_ATTEMPTS} attempts`,
    {
      path,
    },
  );
}

/** 128 random bits as hex: tells one writer's objects from another's. */
export function randomToken(): string {
  const bytes = new Uint8Array(16);
  const crypto = (globalThis as { crypto?: { getRandomValues?: (array: Uint8Array) => Uint8Array } }).crypto;
  if (typeof crypto?.getRandomValues === 'function') crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}
