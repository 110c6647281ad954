import type { DirectoryCapabilities, FileReader, FileWriter } from '@durability/core';
import { AlreadyExistsError } from '@durability/core';
// Test-only: the broken backends are small edits of the memory backend, imported from source.
import { MemoryDirectory } from '../../../backend-memory/src/index.js';

/**
 * Backends that each break one promise of the `Directory` contract, and the tests that must catch it.
 * A suite that cannot fail proves nothing: `suite-catches-broken-backends.test.ts` runs the contract
 * against every one and checks that each listed test fails (and that the unbroken control passes).
 */

const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

class UnsortedList extends MemoryDirectory {
  override async list(dir: string): Promise<string[]> {
    return (await super.list(dir)).reverse();
  }
}

/** Normalises unsafe paths instead of refusing them (`a/../b` → `b`, `a//b/` → `a/b`). */
class LenientPaths extends MemoryDirectory {
  override createFile(path: string) {
    return super.createFile(normalise(path));
  }
  override appendFile(path: string) {
    return super.appendFile(normalise(path));
  }
  override readFile(path: string) {
    return super.readFile(normalise(path));
  }
  override exists(path: string) {
    return super.exists(normalise(path));
  }
  override delete(path: string) {
    return super.delete(normalise(path));
  }
}

function normalise(path: string): string {
  const out: string[] = [];
  for (const segment of path.split(/[\\/]+/)) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment.replaceAll('\0', ''));
  }
  return out.join('/') || 'root';
}

/** Hands out the same array for repeated reads of a path, so a caller's edits show up in later reads. */
class AliasingReads extends MemoryDirectory {
  private readonly cache = new Map<string, Uint8Array>();
  override async readFile(path: string): Promise<Uint8Array> {
    const cached = this.cache.get(path);
    if (cached !== undefined) return cached;
    const bytes = await super.readFile(path);
    this.cache.set(path, bytes);
    return bytes;
  }
  override async createFile(path: string): Promise<FileWriter> {
    this.cache.delete(path);
    return super.createFile(path);
  }
}

/** Writes in two steps with a pause between: readers can see an empty or half-written file. */
class TornAtomicWrite extends MemoryDirectory {
  override async atomicWrite(path: string, bytes: Uint8Array): Promise<void> {
    const writer = await super.createFile(path);
    await yieldToIo();
    await writer.write(bytes.subarray(0, bytes.length >> 1));
    await yieldToIo();
    await writer.write(bytes.subarray(bytes.length >> 1));
    await writer.close();
  }
}

/** Check-then-create with a pause between: concurrent callers can all win. */
class RacyCreateExclusive extends MemoryDirectory {
  override async createExclusive(path: string, bytes: Uint8Array): Promise<void> {
    if (await this.exists(path)) throw new AlreadyExistsError('exists', { path });
    await yieldToIo();
    await this.atomicWrite(path, bytes);
  }
}

/** Overwrites instead of refusing an existing file. */
class OverwritingCreateExclusive extends MemoryDirectory {
  override createExclusive(path: string, bytes: Uint8Array): Promise<void> {
    return this.atomicWrite(path, bytes);
  }
}

/** Says `durableSync: false` but pretends the durable operations succeeded. */
class LyingDurable extends MemoryDirectory {
  override async syncFile(): Promise<void> {}
  override async syncParentDir(): Promise<void> {}
}

/** Zero-extends on a `truncate` beyond the size instead of refusing it. */
class GrowingTruncate extends MemoryDirectory {
  override async truncate(path: string, length: number): Promise<void> {
    const size = await this.size(path);
    if (length <= size) return super.truncate(path, length);
    const writer = await this.appendFile(path);
    await writer.write(new Uint8Array(length - size));
    await writer.close();
  }
}

/** Deletes by name prefix: deleting `d` also deletes `d2` and `d.log`. */
class PrefixDelete extends MemoryDirectory {
  override async delete(path: string): Promise<void> {
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? '' : path.slice(0, slash);
    const name = path.slice(slash + 1);
    for (const sibling of await this.list(parent)) {
      if (sibling.startsWith(name)) await super.delete(parent === '' ? sibling : `${parent}/${sibling}`);
    }
  }
}

/** A reader whose `length` follows the file as writers extend it, instead of staying at its length at open. */
class FollowingReader extends MemoryDirectory {
  private readonly readers = new Map<string, { length: number }[]>();

  override async openReader(path: string): Promise<FileReader> {
    const inner = await super.openReader(path);
    const live = { length: inner.length };
    this.readers.set(path, [...(this.readers.get(path) ?? []), live]);
    return {
      path,
      get length() {
        return live.length;
      },
      read: (offset, length) => this.read(path, offset, Math.min(length, Math.max(0, live.length - offset))),
      close: () => inner.close(),
    };
  }

  override async appendFile(path: string): Promise<FileWriter> {
    const inner = await super.appendFile(path);
    return {
      path,
      get length() {
        return inner.length;
      },
      write: async (bytes) => {
        await inner.write(bytes);
        for (const reader of this.readers.get(path) ?? []) reader.length = inner.length;
      },
      flush: () => inner.flush(),
      sync: () => inner.sync(),
      close: () => inner.close(),
    };
  }
}

/** A writer that keeps accepting writes after `close`. */
class WritableAfterClose extends MemoryDirectory {
  override async createFile(path: string): Promise<FileWriter> {
    const inner = await super.createFile(path);
    let reopened: FileWriter | undefined;
    const reopen = async () => {
      reopened ??= await this.appendFile(path);
      return reopened;
    };
    let closed = false;
    return {
      path,
      get length() {
        return reopened?.length ?? inner.length;
      },
      write: async (bytes) => (closed ? (await reopen()).write(bytes) : inner.write(bytes)),
      flush: async () => (closed ? undefined : inner.flush()),
      sync: async () => (closed ? undefined : inner.sync()),
      close: async () => {
        closed = true;
        await inner.close();
      },
    };
  }
}

/** Buffers writes until `flush` and drops the buffer on `close`. */
class DroppingClose extends MemoryDirectory {
  override async createFile(path: string): Promise<FileWriter> {
    const inner = await super.createFile(path);
    let pending: Uint8Array[] = [];
    let buffered = 0;
    return {
      path,
      get length() {
        return inner.length + buffered;
      },
      write: async (bytes) => {
        pending.push(bytes.slice());
        buffered += bytes.length;
      },
      flush: async () => {
        for (const bytes of pending) await inner.write(bytes);
        pending = [];
        buffered = 0;
      },
      sync: async () => {
        for (const bytes of pending) await inner.write(bytes);
        pending = [];
        buffered = 0;
      },
      close: () => inner.close(),
    };
  }
}

/** `createFile` leaves an existing file's content in place. */
class AppendingCreate extends MemoryDirectory {
  override async createFile(path: string): Promise<FileWriter> {
    const writer = await super.appendFile(path);
    const start = writer.length;
    return {
      path,
      get length() {
        return writer.length - start;
      },
      write: (bytes) => writer.write(bytes),
      flush: () => writer.flush(),
      sync: () => writer.sync(),
      close: () => writer.close(),
    };
  }
}

/** Declares a capability the contract does not know. */
class ExtraCapability extends MemoryDirectory {
  override readonly capabilities = {
    ...new MemoryDirectory().capabilities,
    maxFileSize: 1,
  } as DirectoryCapabilities;
}

/** Returns at most 64 bytes per ranged read, also in the middle of a file. */
class ShortReads extends MemoryDirectory {
  override async read(path: string, offset: number, length: number): Promise<Uint8Array> {
    return super.read(path, offset, Math.min(length, 64));
  }
}

/** Throws synchronously instead of returning a rejected promise. */
class SyncThrowing extends MemoryDirectory {
  override readFile(path: string): Promise<Uint8Array> {
    if (path.includes('..')) throw new TypeError('bad path');
    return super.readFile(path);
  }
}

/** Reads a missing file as empty instead of `NotFoundError`. */
class MissingAsEmpty extends MemoryDirectory {
  override async readFile(path: string): Promise<Uint8Array> {
    return (await this.exists(path)) ? super.readFile(path) : new Uint8Array(0);
  }
}

/** A subclass that changes nothing: the suite must pass it. */
class Control extends MemoryDirectory {}

export interface BrokenBackend {
  readonly create: () => MemoryDirectory;
  /** Titles (the last part of a test's name) of tests that must fail; empty for the control. */
  readonly mustFail: readonly string[];
}

export const BROKEN_BACKENDS: Record<string, BrokenBackend> = {
  control: { create: () => new Control(), mustFail: [] },
  'unsorted list': { create: () => new UnsortedList(), mustFail: ['returns names sorted by code unit'] },
  'lenient paths': {
    create: () => new LenientPaths(),
    mustFail: [
      'createFile refuses every unsafe path with InvalidPathError and leaves storage untouched',
      'delete refuses every unsafe path with InvalidPathError and leaves storage untouched',
    ],
  },
  'aliasing reads': { create: () => new AliasingReads(), mustFail: ['returns bytes the caller owns'] },
  'torn atomicWrite': {
    create: () => new TornAtomicWrite(),
    mustFail: ['concurrent readers only ever see one whole version'],
  },
  'racy createExclusive': {
    create: () => new RacyCreateExclusive(),
    mustFail: ['lets exactly one of 16 concurrent callers win, with its complete content'],
  },
  'overwriting createExclusive': {
    create: () => new OverwritingCreateExclusive(),
    mustFail: ['rejects with AlreadyExistsError when the file exists, and keeps its content'],
  },
  'lying durable operations': {
    create: () => new LyingDurable(),
    mustFail: ['each durable operation it has rejects with NotSupportedError and changes nothing'],
  },
  'growing truncate': {
    create: () => new GrowingTruncate(),
    mustFail: ['rejects a length greater than the size with RangeError and changes nothing'],
  },
  'prefix delete': {
    create: () => new PrefixDelete(),
    mustFail: ['removes a directory and everything under it, and nothing beside it'],
  },
  'reader length follows the file': {
    create: () => new FollowingReader(),
    mustFail: ['keeps the length it had at open while the file grows'],
  },
  'writable after close': {
    create: () => new WritableAfterClose(),
    mustFail: ['write, flush and sync after close reject with InvalidStateError and change nothing'],
  },
  'close drops unflushed bytes': {
    create: () => new DroppingClose(),
    mustFail: ['close flushes', 'random createFile/appendFile/write/flush/close sequences match the model'],
  },
  'createFile does not truncate': {
    create: () => new AppendingCreate(),
    mustFail: ['truncates an existing file to empty and writes from offset 0'],
  },
  'extra capability': {
    create: () => new ExtraCapability(),
    mustFail: ['declares exactly the five capabilities, each a boolean'],
  },
  'short ranged reads': {
    create: () => new ShortReads(),
    mustFail: [
      'reads a range inside the file',
      'random ranged reads (read and FileReader.read) equal slices of the model',
    ],
  },
  'synchronous throw': {
    create: () => new SyncThrowing(),
    mustFail: ['readFile refuses every unsafe path with InvalidPathError and leaves storage untouched'],
  },
  'missing file reads as empty': {
    create: () => new MissingAsEmpty(),
    mustFail: ['readFile rejects with NotFoundError'],
  },
};
