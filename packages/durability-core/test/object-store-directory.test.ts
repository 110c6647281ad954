import { MemoryDirectory } from '@durability/backend-memory';
import { describe, expect, it } from 'vitest';
// Core cannot depend on the sim package (it depends on core); its sources are imported directly.
import { SimDirectory, SimObjectStore } from '../../backend-s3-sim/src/index.js';
import {
  bytesCodec,
  type Directory,
  type FileWriter,
  InvalidPathError,
  LockedError,
  ObjectStoreDirectory,
  WalReader,
  WalWriter,
} from '../src/index.js';
import { acquireWalLock } from '../src/wal/wal-lock.js';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('ObjectStoreDirectory: key layout', () => {
  it('stores a file as a head and one part per flush, under the prefix, with zero-padded numbers', async () => {
    const store = new SimObjectStore();
    const dir = new ObjectStoreDirectory(store, { prefix: 'db' });
    const writer = await dir.createFile('wal/a.log');
    await writer.write(bytes('ab'));
    await writer.write(bytes('c'));
    await writer.flush();
    await writer.write(bytes('de'));
    await writer.close();
    const g = '00000000000000000001';
    expect(store.keys()).toEqual([
      `db/wal/a.log\\${g}`,
      `db/wal/a.log\\${g}/00000000000000000001`,
      `db/wal/a.log\\${g}/00000000000000000002`,
    ]);
    expect(text(await dir.readFile('wal/a.log'))).toBe('abcde');
    expect(text(await dir.read('wal/a.log', 1, 3))).toBe('bcd');
  });

  it('appendFile claims an empty fence slot at once; readers ignore it', async () => {
    const store = new SimObjectStore();
    const dir = new ObjectStoreDirectory(store);
    await dir.atomicWrite('f', bytes('xy'));
    const writer = await dir.appendFile('f');
    expect(store.keys()).toHaveLength(2);
    expect((await store.headObject(store.keys()[1]!)).size).toBe(0);
    await writer.write(bytes('z'));
    await writer.close();
    expect(text(await dir.readFile('f'))).toBe('xyz');
  });

  it('lists more than 1,000 children across pages, sorted by code unit', async () => {
    const dir = new SimDirectory();
    const names = Array.from({ length: 1100 }, (_, i) => `f${i}`);
    names.push('\u{10000}', '\uffff');
    await Promise.all(names.map((name) => dir.atomicWrite(`d/${name}`, bytes(name))));
    await dir.mkdirp('d/sub');
    expect(await dir.list('d')).toEqual([...names, 'sub'].sort());
  });

  it('truncate publishes a new generation (parts first, head last) and drops the data of the old one', async () => {
    const dir = new SimDirectory();
    const writer = await dir.createFile('f');
    for (const piece of ['aaa', 'bbb', 'ccc']) {
      await writer.write(bytes(piece));
      await writer.flush();
    }
    await writer.close();
    await dir.truncate('f', 5);
    expect(text(await dir.readFile('f'))).toBe('aaabb');
    // Generation 1 keeps only its empty objects (the head and the seal that fences its writers).
    for (const key of dir.store.keys()) {
      if (key.includes('\\00000000000000000001')) expect((await dir.store.headObject(key)).size, key).toBe(0);
    }
    expect(dir.store.keys().filter((key) => key.includes('\\00000000000000000002'))).toHaveLength(2);
    const again = await dir.appendFile('f');
    expect(again.length).toBe(5);
    await again.write(bytes('!'));
    await again.close();
    expect(text(await dir.readFile('f'))).toBe('aaabb!');
  });

  it('refuses paths no object key can hold', async () => {
    const dir = new SimDirectory();
    for (const path of ['a\uD800b', 'x'.repeat(1000)]) {
      expect(InvalidPathError.is(await failure(dir.atomicWrite(path, bytes('x'))))).toBe(true);
    }
    expect(dir.store.stats.requests.total).toBe(0);
  });
});

describe('ObjectStoreDirectory: fencing of file writers', () => {
  it('a writer whose next slot another appendFile claimed gets LockedError and writes nothing more', async () => {
    const dir = new SimDirectory();
    const first = await dir.createFile('f');
    await first.write(bytes('1'));
    await first.flush();
    const second = await dir.appendFile('f');
    await first.write(bytes('2'));
    expect(LockedError.is(await failure(first.flush()))).toBe(true);
    expect(LockedError.is(await failure(first.write(bytes('3'))))).toBe(true);
    await second.write(bytes('B'));
    await second.close();
    expect(text(await dir.readFile('f'))).toBe('1B');
  });

  it('sync and close with nothing pending still detect fencing (one HEAD)', async () => {
    const dir = new SimDirectory();
    const first = await dir.createFile('f');
    await first.write(bytes('1'));
    await first.sync();
    await dir.appendFile('f');
    dir.store.resetStats();
    expect(LockedError.is(await failure(first.sync()))).toBe(true);
    expect(dir.store.stats.requests).toMatchObject({ head: 1, put: 0 });
  });

  it('sync + close with nothing written between them: each checks the next slot (one HEAD each)', async () => {
    const dir = new SimDirectory();
    const writer = await dir.createFile('f');
    await writer.write(bytes('1'));
    await writer.sync(); // the part's PUT is this barrier's proof
    dir.store.resetStats();
    await writer.sync(); // nothing pending and nothing proved since the last barrier: one HEAD
    await writer.close(); // and the close checks again: a writer fenced since learns it here
    expect(dir.store.stats.requests).toMatchObject({ head: 2, put: 0, total: 2 });
  });

  it('close after bytes written since the last sync PUTs them, and that PUT is its proof', async () => {
    const dir = new SimDirectory();
    const writer = await dir.createFile('f');
    await writer.write(bytes('1'));
    await writer.sync();
    await writer.write(bytes('2'));
    dir.store.resetStats();
    await writer.close();
    expect(dir.store.stats.requests).toMatchObject({ head: 0, put: 1, total: 1 });
    expect(text(await dir.readFile('f'))).toBe('12');
  });

  it('a writer fenced before its sync + close fails at the sync, and its close rejects too', async () => {
    const dir = new SimDirectory();
    const first = await dir.createFile('f');
    await first.write(bytes('1'));
    await first.sync();
    const second = await dir.appendFile('f');
    expect(LockedError.is(await failure(first.sync()))).toBe(true);
    expect(LockedError.is(await failure(first.close()))).toBe(true);
    await second.write(bytes('B'));
    await second.close();
    expect(text(await dir.readFile('f'))).toBe('1B');
  });

  it('a writer fenced after its last sync learns it at close: LockedError, nothing written', async () => {
    const dir = new SimDirectory();
    const first = await dir.createFile('f');
    await first.write(bytes('1'));
    await first.sync();
    const second = await dir.appendFile('f');
    expect(LockedError.is(await failure(first.close()))).toBe(true);
    await second.write(bytes('B'));
    await second.close();
    expect(text(await dir.readFile('f'))).toBe('1B');
  });

  it('createFile over an existing file seals its generation: its writer is fenced', async () => {
    const dir = new SimDirectory();
    const old = await dir.createFile('f');
    await old.write(bytes('old'));
    await old.flush();
    const fresh = await dir.createFile('f');
    await old.write(bytes('more'));
    expect(LockedError.is(await failure(old.flush()))).toBe(true);
    await fresh.write(bytes('new'));
    await fresh.close();
    expect(text(await dir.readFile('f'))).toBe('new');
  });

  it('an applied-but-timed-out part PUT is recognised as ours by its token, not written twice', async () => {
    const dir = new SimDirectory({ unknownOutcomeProbability: 1 });
    const writer = await dir.createFile('f');
    await writer.write(bytes('once'));
    await writer.close();
    dir.store.setFaults({ unknownOutcomeProbability: 0 });
    expect(text(await dir.readFile('f'))).toBe('once');
  });
});

/** A memory directory on which another writer appends to `victim` right before each `appendFile` of it. */
class InterferingDirectory extends MemoryDirectory {
  constructor(private readonly victim: RegExp) {
    super();
  }
  override async appendFile(path: string): Promise<FileWriter> {
    if (this.victim.test(path)) {
      const other = await super.appendFile(path);
      await other.write(bytes('frame from another writer'));
      await other.close();
    }
    return super.appendFile(path);
  }
}

describe('WalWriter.resume: the final segment must be what the scan saw', () => {
  it('refuses with LockedError when another writer appended between the scan and the open', async () => {
    const dir: Directory = new InterferingDirectory(/^wal\/wal_/);
    const wal = await WalWriter.create(dir, { codec: bytesCodec });
    await wal.append(bytes('x'));
    await wal.close();
    expect(LockedError.is(await failure(WalWriter.resume(dir, { codec: bytesCodec })))).toBe(true);
  });

  it('resumes normally when nothing changed', async () => {
    const dir = new MemoryDirectory();
    const wal = await WalWriter.create(dir, { codec: bytesCodec });
    await wal.append(bytes('x'));
    await wal.close();
    const again = await WalWriter.resume(dir, { codec: bytesCodec });
    await again.append(bytes('y'));
    await again.close();
    expect((await new WalReader(dir, { codec: bytesCodec }).replay()).map((e) => e.entryId)).toEqual([1, 2]);
  });
});

describe("WAL lock: takeover 'force'", () => {
  it('takes over a lock whose owner looks alive (another host), and reports it', async () => {
    const dir = new SimDirectory();
    await dir.mkdirp('wal');
    const owner = { pid: 1, hostname: 'elsewhere', token: 'abc', createdAt: new Date(0).toISOString() };
    await dir.createExclusive('wal/.lock', bytes(JSON.stringify(owner)));
    expect(LockedError.is(await failure(acquireWalLock(dir, {})))).toBe(true);
    const lock = await acquireWalLock(dir, {}, { takeover: 'force' });
    expect(lock.takeover?.reason).toBe('forced');
    expect(lock.takeover?.previousOwner.hostname).toBe('elsewhere');
    expect(JSON.parse(text(await dir.readFile('wal/.lock'))).token).toBe(lock.owner.token);
    await lock.release();
    expect(await dir.exists('wal/.lock')).toBe(false);
  });
});
