import { describe, expect, it } from 'vitest';
import {
  type Directory,
  type DirectoryCapabilities,
  type FileReader,
  type FileWriter,
  guardDirectory,
  InvalidPathError,
  InvalidStateError,
  IoError,
  NotFoundError,
  NotSupportedError,
} from '../src/index.js';

type Call = { op: string; args: unknown[] };

/**
 * A backend that records every call and answers with canned values. `fail` makes an operation throw;
 * `hold` makes writer calls wait until released, to provoke overlaps.
 */
function spyBackend(
  options: { capabilities?: Partial<DirectoryCapabilities>; durableMethods?: boolean } = {},
) {
  const calls: Call[] = [];
  const failures = new Map<string, unknown>();
  let hold: Promise<void> | undefined;
  const capabilities: DirectoryCapabilities = {
    durableSync: false,
    atomicRename: true,
    nativeAppend: true,
    filePaths: false,
    crossProcessLock: false,
    ...options.capabilities,
  };
  const op =
    <T>(name: string, result: (...args: never[]) => T) =>
    async (...args: unknown[]): Promise<T> => {
      calls.push({ op: name, args });
      if (failures.has(name)) throw failures.get(name);
      return result(...(args as never[]));
    };
  const writer = (path: string): FileWriter => {
    let length = 0;
    return {
      path,
      get length() {
        return length;
      },
      write: async (bytes: Uint8Array) => {
        calls.push({ op: 'writer.write', args: [bytes] });
        await hold;
        if (failures.has('writer.write')) throw failures.get('writer.write');
        length += bytes.length;
      },
      flush: op('writer.flush', () => undefined),
      sync: op('writer.sync', () => undefined),
      close: op('writer.close', () => undefined),
    };
  };
  const reader = (path: string): FileReader => ({
    path,
    length: 3,
    read: op('reader.read', () => Uint8Array.of(1, 2, 3)),
    close: op('reader.close', () => undefined),
  });
  const backend: Directory & Record<string, unknown> = {
    capabilities,
    createFile: op('createFile', (path: string) => writer(path)),
    appendFile: op('appendFile', (path: string) => writer(path)),
    createExclusive: op('createExclusive', () => undefined),
    readFile: op('readFile', () => new Uint8Array(0)),
    read: op('read', () => new Uint8Array(0)),
    openReader: op('openReader', (path: string) => reader(path)),
    size: op('size', () => 0),
    exists: op('exists', () => true),
    delete: op('delete', () => undefined),
    list: op('list', () => []),
    mkdirp: op('mkdirp', () => undefined),
    truncate: op('truncate', () => undefined),
    rename: op('rename', () => undefined),
    atomicWrite: op('atomicWrite', () => undefined),
    filePath: (path: string) => {
      calls.push({ op: 'filePath', args: [path] });
      return `/os/${path}`;
    },
  };
  if (options.durableMethods ?? true) {
    backend.syncFile = op('syncFile', () => undefined);
    backend.syncParentDir = op('syncParentDir', () => undefined);
    backend.atomicWriteDurable = op('atomicWriteDurable', () => undefined);
    backend.atomicRenameDurable = op('atomicRenameDurable', () => undefined);
  }
  return {
    backend,
    calls,
    fail: (name: string, error: unknown) => failures.set(name, error),
    holdWrites: () => {
      let release!: () => void;
      hold = new Promise((resolve) => {
        release = resolve;
      });
      return () => {
        hold = undefined;
        release();
      };
    },
  };
}

const bytes = Uint8Array.of(1);
/** Every path-taking operation, called with `path` wherever a path goes. */
const pathOps: [string, (dir: ReturnType<typeof guardDirectory>, path: string) => Promise<unknown>][] = [
  ['createFile', (d, p) => d.createFile(p)],
  ['appendFile', (d, p) => d.appendFile(p)],
  ['createExclusive', (d, p) => d.createExclusive(p, bytes)],
  ['readFile', (d, p) => d.readFile(p)],
  ['read', (d, p) => d.read(p, 0, 1)],
  ['openReader', (d, p) => d.openReader(p)],
  ['size', (d, p) => d.size(p)],
  ['exists', (d, p) => d.exists(p)],
  ['delete', (d, p) => d.delete(p)],
  ['list', (d, p) => d.list(p)],
  ['mkdirp', (d, p) => d.mkdirp(p)],
  ['truncate', (d, p) => d.truncate(p, 0)],
  ['rename (from)', (d, p) => d.rename(p, 'ok')],
  ['rename (to)', (d, p) => d.rename('ok', p)],
  ['atomicWrite', (d, p) => d.atomicWrite(p, bytes)],
  ['syncFile', (d, p) => d.syncFile(p)],
  ['syncParentDir', (d, p) => d.syncParentDir(p)],
  ['atomicWriteDurable', (d, p) => d.atomicWriteDurable(p, bytes)],
  ['atomicRenameDurable (from)', (d, p) => d.atomicRenameDurable(p, 'ok')],
  ['atomicRenameDurable (to)', (d, p) => d.atomicRenameDurable('ok', p)],
];
const unsafePaths = ['../escape', '/abs', 'a//b', 'a/./b', 'a\\b', 'a\0b', 'C:/x', 'a/'];

describe('guardDirectory: paths', () => {
  describe.each(pathOps)('%s', (_name, call) => {
    it.each(unsafePaths)('rejects %j with InvalidPathError before the backend is called', async (path) => {
      const spy = spyBackend({ capabilities: { durableSync: true } });
      const dir = guardDirectory(spy.backend);
      // A rejected promise, never a synchronous throw: callers chain .catch() on these.
      const result = call(dir, path);
      expect(result).toBeInstanceOf(Promise);
      await expect(result).rejects.toSatisfy((e: unknown) => InvalidPathError.is(e));
      expect(spy.calls).toEqual([]);
    });

    it('passes a safe path through to the backend', async () => {
      const spy = spyBackend({ capabilities: { durableSync: true } });
      await call(guardDirectory(spy.backend), 'dir/file.log');
      expect(spy.calls.length).toBe(1);
      expect(spy.calls[0]!.args).toContain('dir/file.log');
    });
  });

  it("accepts the root '' only where an operation takes a directory", async () => {
    const spy = spyBackend();
    const dir = guardDirectory(spy.backend);
    await dir.list('');
    await dir.mkdirp('');
    await dir.exists('');
    await expect(dir.readFile('')).rejects.toSatisfy((e: unknown) => InvalidPathError.is(e));
    await expect(dir.delete('')).rejects.toSatisfy((e: unknown) => InvalidPathError.is(e));
    expect(spy.calls.map((c) => c.op)).toEqual(['list', 'mkdirp', 'exists']);
  });

  it('rejects bad numbers and non-bytes as programmer errors before the backend', async () => {
    const spy = spyBackend();
    const dir = guardDirectory(spy.backend);
    await expect(dir.read('f', -1, 1)).rejects.toBeInstanceOf(RangeError);
    await expect(dir.read('f', 0, 1.5)).rejects.toBeInstanceOf(RangeError);
    await expect(dir.truncate('f', Number.NaN)).rejects.toBeInstanceOf(RangeError);
    await expect(dir.atomicWrite('f', [1] as never)).rejects.toBeInstanceOf(TypeError);
    expect(spy.calls).toEqual([]);
  });
});

describe('guardDirectory: errors', () => {
  it('maps a backend error with an errno into IoError carrying errno, path and cause', async () => {
    const spy = spyBackend();
    const cause = Object.assign(new Error('input/output error'), { code: 'EIO' });
    spy.fail('readFile', cause);
    const error = await guardDirectory(spy.backend)
      .readFile('data/x.log')
      .catch((e: unknown) => e);
    expect(IoError.is(error)).toBe(true);
    const io = error as IoError;
    expect(io.errno).toBe('EIO');
    expect(io.path).toBe('data/x.log');
    expect(io.cause).toBe(cause);
    expect(io.message).toContain('readFile failed: input/output error');
  });

  it('maps writer failures too, and non-Error throwables', async () => {
    const spy = spyBackend();
    spy.fail('writer.write', Object.assign(new Error('no space'), { code: 'ENOSPC' }));
    const writer = await guardDirectory(spy.backend).createFile('f');
    const error = (await writer.write(bytes).catch((e: unknown) => e)) as IoError;
    expect(IoError.is(error) && error.errno).toBe('ENOSPC');
    spy.fail('size', 'a string');
    const stringError = (await guardDirectory(spy.backend)
      .size('f')
      .catch((e: unknown) => e)) as IoError;
    expect(IoError.is(stringError) && stringError.errno).toBe(undefined);
  });

  it('passes DurabilityErrors, TypeErrors and RangeErrors through unchanged', async () => {
    for (const thrown of [
      new NotFoundError('missing', { path: 'f' }),
      new TypeError('t'),
      new RangeError('r'),
    ]) {
      const spy = spyBackend();
      spy.fail('readFile', thrown);
      await expect(guardDirectory(spy.backend).readFile('f')).rejects.toBe(thrown);
    }
  });
});

describe('guardDirectory: capabilities', () => {
  const durableOps = pathOps.filter(([name]) => /sync|Durable/.test(name));

  it.each(durableOps)(
    '%s on a backend without durableSync → NotSupportedError, backend not called',
    async (_n, call) => {
      for (const durableMethods of [true, false]) {
        const spy = spyBackend({ capabilities: { durableSync: false }, durableMethods });
        await expect(call(guardDirectory(spy.backend), 'f')).rejects.toSatisfy((e: unknown) =>
          NotSupportedError.is(e),
        );
        expect(spy.calls).toEqual([]);
      }
    },
  );

  it('durable ops on a durable backend without the methods → NotSupportedError', async () => {
    const spy = spyBackend({ capabilities: { durableSync: true }, durableMethods: false });
    await expect(guardDirectory(spy.backend).syncFile('f')).rejects.toSatisfy((e: unknown) =>
      NotSupportedError.is(e),
    );
  });

  it('filePath answers undefined without filePaths, and asks the backend with it', () => {
    const without = spyBackend({ capabilities: { filePaths: false } });
    expect(guardDirectory(without.backend).filePath('a')).toBeUndefined();
    expect(without.calls).toEqual([]);
    const withPaths = spyBackend({ capabilities: { filePaths: true } });
    expect(guardDirectory(withPaths.backend).filePath('a')).toBe('/os/a');
    expect(() => guardDirectory(withPaths.backend).filePath('../a')).toThrow(InvalidPathError);
  });

  it('exposes a frozen copy of the capabilities', () => {
    const spy = spyBackend({ capabilities: { durableSync: true } });
    const dir = guardDirectory(spy.backend);
    expect(dir.capabilities).toEqual(spy.backend.capabilities);
    expect(Object.isFrozen(dir.capabilities)).toBe(true);
  });

  it('guarding a guarded directory returns the same object', () => {
    const guarded = guardDirectory(spyBackend().backend);
    expect(guardDirectory(guarded)).toBe(guarded);
    expect(guardDirectory(guardDirectory(guarded))).toBe(guarded);
  });
});

describe('guardDirectory: writers and readers', () => {
  it('refuses overlapping calls on one writer with InvalidStateError', async () => {
    const spy = spyBackend();
    const writer = await guardDirectory(spy.backend).createFile('f');
    const release = spy.holdWrites();
    const first = writer.write(bytes);
    await expect(writer.write(bytes)).rejects.toSatisfy((e: unknown) => InvalidStateError.is(e));
    await expect(writer.flush()).rejects.toSatisfy((e: unknown) => InvalidStateError.is(e));
    await expect(writer.sync()).rejects.toSatisfy((e: unknown) => InvalidStateError.is(e));
    release();
    await first;
    await writer.write(bytes); // usable again once the first call settled
    expect(writer.length).toBe(2);
    expect(spy.calls.filter((c) => c.op === 'writer.write').length).toBe(2);
  });

  it('refuses calls after close with InvalidStateError; close is idempotent', async () => {
    const spy = spyBackend();
    const writer = await guardDirectory(spy.backend).appendFile('f');
    await writer.close();
    await writer.close();
    for (const call of [() => writer.write(bytes), () => writer.flush(), () => writer.sync()]) {
      await expect(call()).rejects.toSatisfy((e: unknown) => InvalidStateError.is(e));
    }
    expect(spy.calls.filter((c) => c.op === 'writer.close').length).toBe(1);
  });

  it('a writer stays usable after a failed call (the guard does not poison; the log writers do)', async () => {
    const spy = spyBackend();
    const writer = await guardDirectory(spy.backend).createFile('f');
    spy.fail('writer.flush', new Error('x'));
    await expect(writer.flush()).rejects.toSatisfy((e: unknown) => IoError.is(e));
    await writer.write(bytes);
  });

  it('rejects writes of non-bytes with TypeError before the backend', async () => {
    const spy = spyBackend();
    const writer = await guardDirectory(spy.backend).createFile('f');
    await expect(writer.write('x' as never)).rejects.toBeInstanceOf(TypeError);
    expect(spy.calls.map((c) => c.op)).toEqual(['createFile']);
  });

  it('readers: ranged reads pass through; read after close → InvalidStateError', async () => {
    const spy = spyBackend();
    const reader = await guardDirectory(spy.backend).openReader('f');
    expect(reader.path).toBe('f');
    expect(reader.length).toBe(3);
    expect(await reader.read(0, 3)).toEqual(Uint8Array.of(1, 2, 3));
    await expect(reader.read(-1, 3)).rejects.toBeInstanceOf(RangeError);
    await reader.close();
    await reader.close();
    await expect(reader.read(0, 1)).rejects.toSatisfy((e: unknown) => InvalidStateError.is(e));
    expect(spy.calls.filter((c) => c.op === 'reader.close').length).toBe(1);
  });
});
