import {
  type DirectoryCapabilities,
  type DurableDirectory,
  type FileReader,
  type FileWriter,
  InvalidStateError,
  NotFoundError,
  NotSupportedError,
} from '@durability/core';

/** One file of an image: its bytes, and optionally a larger length whose extra bytes read as zeros (a sparse file). */
export interface ImageFile {
  readonly bytes: Uint8Array;
  readonly length?: number;
}

const CAPABILITIES: DirectoryCapabilities = Object.freeze({
  durableSync: false,
  atomicRename: false,
  nativeAppend: false,
  filePaths: false,
  crossProcessLock: false,
});

/**
 * A read-only `Directory` over fixed file images, for the decoder fuzz: the decoders under test only
 * read, so the fuzz needs no backend and runs thousands of inputs a second. It is a test instrument, not
 * a backend: every mutating method rejects with `NotSupportedError`.
 *
 * It measures what decoders ask for: `largestRead` is the largest `length` any read requested, and
 * every request above `readLimit` is listed in `oversizedReads` (and rejected). A file may be declared
 * longer than its bytes (zeros beyond them, never materialised) so that a length field can point inside
 * the file while being far above the caps: a decoder that sized a read by it before checking the cap
 * shows up here.
 */
export class ImageDirectory implements DurableDirectory {
  readonly capabilities = CAPABILITIES;
  largestRead = 0;
  readonly oversizedReads: string[] = [];
  private readonly files: Map<string, ImageFile>;

  constructor(
    files: Iterable<readonly [string, ImageFile]>,
    private readonly readLimit = Number.POSITIVE_INFINITY,
  ) {
    this.files = new Map(files);
  }

  async readFile(path: string): Promise<Uint8Array> {
    const file = this.file(path);
    return this.slice(path, file, 0, lengthOf(file));
  }

  async read(path: string, offset: number, length: number): Promise<Uint8Array> {
    return this.slice(path, this.file(path), offset, length);
  }

  async openReader(path: string): Promise<FileReader> {
    const file = this.file(path);
    let closed = false;
    return {
      path,
      length: lengthOf(file),
      read: async (offset, length) => {
        if (closed) throw new InvalidStateError('read on a closed reader', { path });
        return this.slice(path, file, offset, length);
      },
      close: async () => {
        closed = true;
      },
    };
  }

  async size(path: string): Promise<number> {
    return lengthOf(this.file(path));
  }

  async exists(path: string): Promise<boolean> {
    return (
      path === '' || this.files.has(path) || [...this.files.keys()].some((p) => p.startsWith(`${path}/`))
    );
  }

  async list(dir: string): Promise<string[]> {
    const prefix = dir === '' ? '' : `${dir}/`;
    const names = new Set<string>();
    for (const path of this.files.keys()) {
      if (path.startsWith(prefix)) names.add(path.slice(prefix.length).split('/')[0]!);
    }
    return [...names].sort();
  }

  filePath(): undefined {
    return undefined;
  }

  createFile(path: string): Promise<FileWriter> {
    return refuse('createFile', path);
  }
  appendFile(path: string): Promise<FileWriter> {
    return refuse('appendFile', path);
  }
  createExclusive(path: string): Promise<void> {
    return refuse('createExclusive', path);
  }
  delete(path: string): Promise<void> {
    return refuse('delete', path);
  }
  mkdirp(path: string): Promise<void> {
    return refuse('mkdirp', path);
  }
  truncate(path: string): Promise<void> {
    return refuse('truncate', path);
  }
  rename(path: string): Promise<void> {
    return refuse('rename', path);
  }
  atomicWrite(path: string): Promise<void> {
    return refuse('atomicWrite', path);
  }
  syncFile(path: string): Promise<void> {
    return refuse('syncFile', path);
  }
  syncParentDir(path: string): Promise<void> {
    return refuse('syncParentDir', path);
  }
  atomicWriteDurable(path: string): Promise<void> {
    return refuse('atomicWriteDurable', path);
  }
  atomicRenameDurable(path: string): Promise<void> {
    return refuse('atomicRenameDurable', path);
  }

  private file(path: string): ImageFile {
    const file = this.files.get(path);
    if (!file) throw new NotFoundError('no such file in the image', { path });
    return file;
  }

  /** Up to `length` bytes at `offset`, zeros past the materialised bytes; the request is measured first. */
  private slice(path: string, file: ImageFile, offset: number, length: number): Uint8Array {
    this.largestRead = Math.max(this.largestRead, length);
    if (length > this.readLimit) {
      this.oversizedReads.push(`${path}: read of ${length} bytes at ${offset} (limit ${this.readLimit})`);
      throw new RangeError(`read of ${length} bytes exceeds the fuzz limit of ${this.readLimit}`);
    }
    const end = Math.min(lengthOf(file), offset + length);
    const out = new Uint8Array(Math.max(0, end - offset));
    if (offset < file.bytes.length) out.set(file.bytes.subarray(offset, Math.min(end, file.bytes.length)));
    return out;
  }
}

function lengthOf(file: ImageFile): number {
  return Math.max(file.bytes.length, file.length ?? 0);
}

async function refuse(method: string, path: string): Promise<never> {
  throw new NotSupportedError(`${method}: the decoder fuzz image is read-only`, { path });
}
