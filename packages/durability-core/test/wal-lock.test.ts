import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { hostname } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Directory,
  LockedError,
  type LockOwner,
  type LockTakeover,
  readWalLock,
  WAL_LOCK_PATH,
  WalReader,
  WalWriter,
} from '../src/index.js';
import { readRaw, rejection, removeWalTempRoots, walBackends, writeRaw } from './wal-harness.js';

afterAll(removeWalTempRoots);

const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

/** A live process that is not this one. */
async function liveChild(): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'], { stdio: 'ignore' });
  children.push(child);
  await once(child, 'spawn');
  return child.pid!;
}

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

async function plantLock(dir: Directory, owner: Partial<LockOwner>): Promise<LockOwner> {
  const full: LockOwner = {
    pid: process.pid,
    hostname: hostname(),
    token: 'planted',
    createdAt: '2020-01-01T00:00:00.000Z',
    ...owner,
  };
  await writeRaw(dir, WAL_LOCK_PATH, new TextEncoder().encode(JSON.stringify(full)));
  return full;
}

async function lockOwner(dir: Directory): Promise<LockOwner> {
  return JSON.parse(new TextDecoder().decode(await readRaw(dir, WAL_LOCK_PATH))) as LockOwner;
}

describe.each(walBackends)('WAL single-writer lock ($name)', (backend) => {
  it('a second writer in this process is refused with LockedError; close releases the lock', async () => {
    const dir = await backend.create();
    const first = await WalWriter.create<string>(dir);
    const owner = await lockOwner(dir);
    expect(owner).toMatchObject({ pid: process.pid, hostname: hostname() });
    expect(owner.token).toBeTypeOf('string');
    expect(Number.isNaN(Date.parse(owner.createdAt))).toBe(false);

    expect(LockedError.is(await rejection(WalWriter.resume(dir)))).toBe(true);
    expect(LockedError.is(await rejection(WalWriter.create(dir)))).toBe(true);
    // The refused opens changed nothing: the first writer still works and still owns the lock.
    await first.append('still mine');
    expect((await lockOwner(dir)).token).toBe(owner.token);

    await first.close();
    expect(await dir.exists(WAL_LOCK_PATH)).toBe(false);
    const second = await WalWriter.resume<string>(dir);
    expect(second.lockTakeover).toBeUndefined();
    await second.close();
  });

  it('a second directory object over the same storage is refused too (probe), a copy is taken over', async () => {
    const dir = await backend.create();
    const first = await WalWriter.create<string>(dir);
    const token = (await lockOwner(dir)).token;
    const error = await rejection(WalWriter.resume(await backend.alias(dir)));
    expect(LockedError.is(error)).toBe(true);
    expect((error as LockedError).message).toContain('another directory object');
    expect((await lockOwner(dir)).token).toBe(token);
    expect((await dir.list('wal')).filter((n) => n.includes('probe'))).toEqual([]);
    // A copy of the storage holding the same live token is not the same WAL: taken over, and said so.
    const copy = await WalWriter.resume<string>(await backend.snapshot(dir));
    expect(copy.lockTakeover?.message).toContain('copied from a WAL that a live writer');
    await copy.close();
    await first.close();
  });

  it('two opens racing in one process: exactly one wins', async () => {
    const dir = await backend.create();
    const results = await Promise.allSettled([
      WalWriter.resume(dir),
      WalWriter.resume(dir),
      WalWriter.resume(dir),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(LockedError.is(r.reason)).toBe(true);
    await (won[0] as PromiseFulfilledResult<WalWriter>).value.close();
  });

  it('a lock left by an abandoned writer of this process is taken over, and the takeover is reported', async () => {
    const dir = await backend.create();
    const abandoned = await WalWriter.create<string>(dir);
    await abandoned.append('before the crash');
    await abandoned.flush();
    const crashed = await backend.snapshot(dir); // the lock file is in the copy; no live writer owns it
    const previous = await lockOwner(crashed);
    const reported: LockTakeover[] = [];
    const w = await WalWriter.resume<string>(crashed, { onLockTakeover: (t) => reported.push(t) });
    expect(w.lockTakeover).toMatchObject({ reason: 'abandoned-in-process', previousOwner: previous });
    expect(w.lockTakeover?.message).toContain(`pid ${process.pid}`);
    expect(reported).toEqual([w.lockTakeover]);
    expect((await lockOwner(crashed)).token).not.toBe(previous.token);
    expect(await w.append('after')).toBe(2);
    await w.close();
    await abandoned.close();
  });

  it('a lock whose owner process is gone is taken over (same host, ESRCH)', async () => {
    const dir = await backend.create();
    const pid = await deadPid();
    await plantLock(dir, { pid });
    const w = await WalWriter.resume<string>(dir);
    expect(w.lockTakeover).toMatchObject({ reason: 'owner-process-gone', previousOwner: { pid } });
    expect(w.lockTakeover?.message).toContain('no longer exists');
    await w.close();
    expect(await dir.exists(WAL_LOCK_PATH)).toBe(false);
    expect(await dir.exists('wal/.lock.takeover')).toBe(false);
  });

  it('a lock held by a live process, or by another host, is refused with LockedError naming the owner', async () => {
    const dir = await backend.create();
    const pid = await liveChild();
    await plantLock(dir, { pid });
    const error = await rejection(WalWriter.resume(dir));
    expect(LockedError.is(error)).toBe(true);
    expect((error as LockedError).message).toContain(`pid ${pid}`);
    expect((error as LockedError).owner).toMatchObject({ pid });

    await plantLock(dir, { pid: await deadPid(), hostname: 'some-other-host.invalid' });
    const remote = await rejection(WalWriter.resume(dir));
    expect(LockedError.is(remote)).toBe(true);
    expect((remote as LockedError).message).toContain('some-other-host.invalid');
  });

  it('an unreadable lock file is refused, never guessed about', async () => {
    const dir = await backend.create();
    await writeRaw(dir, WAL_LOCK_PATH, new TextEncoder().encode('not json'));
    const error = await rejection(WalWriter.resume(dir));
    expect(LockedError.is(error)).toBe(true);
    expect((error as LockedError).message).toContain('unreadable');
  });

  it('throwing from onLockTakeover aborts the open and leaves no lock behind', async () => {
    const dir = await backend.create();
    await plantLock(dir, { pid: await deadPid() });
    const veto = new Error('not today');
    const error = await rejection(
      WalWriter.resume(dir, {
        onLockTakeover: () => {
          throw veto;
        },
      }),
    );
    expect(error).toBe(veto);
    expect(await dir.exists(WAL_LOCK_PATH)).toBe(false);
    const w = await WalWriter.resume(dir);
    expect(w.lockTakeover).toBeUndefined();
    await w.close();
  });

  it('the lock does not stop readers', async () => {
    const dir = await backend.create();
    const w = await WalWriter.create<string>(dir);
    await w.append('visible after flush');
    await w.flush();
    expect(await new WalReader<string>(dir).replay()).toEqual([
      { entryId: 1, payload: 'visible after flush' },
    ]);
    await w.close();
  });
});

describe.each(walBackends)('readWalLock ($name)', (backend) => {
  it('reads the owner without touching the lock, and tells alive, gone and unknown owners apart', async () => {
    const dir = await backend.create();
    expect(await readWalLock(dir)).toEqual({ kind: 'missing' });

    const wal = await WalWriter.create(dir);
    const before = await readRaw(dir, WAL_LOCK_PATH);
    const held = await readWalLock(dir);
    expect(held).toMatchObject({ kind: 'owner', liveness: 'alive', owner: { pid: process.pid } });
    expect(await readRaw(dir, WAL_LOCK_PATH)).toEqual(before);
    await wal.append('still the owner');
    await wal.close();

    const owner = (pid: number | null, host: string) =>
      new TextEncoder().encode(JSON.stringify({ pid, hostname: host, token: 't', createdAt: 'now' }));
    await writeRaw(dir, WAL_LOCK_PATH, owner(2 ** 30, hostname())); // no such pid
    expect(await readWalLock(dir)).toMatchObject({ kind: 'owner', liveness: 'gone' });
    await writeRaw(dir, WAL_LOCK_PATH, owner(process.pid, 'another-host'));
    expect(await readWalLock(dir)).toMatchObject({ kind: 'owner', liveness: 'unknown' });
    await writeRaw(dir, WAL_LOCK_PATH, owner(null, hostname()));
    expect(await readWalLock(dir)).toMatchObject({ kind: 'owner', liveness: 'unknown' });
    await writeRaw(dir, WAL_LOCK_PATH, new TextEncoder().encode('not json'));
    expect(await readWalLock(dir)).toEqual({ kind: 'unreadable', text: 'not json' });
  });
});
