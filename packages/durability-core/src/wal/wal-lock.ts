import type { Directory, DurableDirectory } from '../directory.js';
import { AlreadyExistsError, LockedError, NotFoundError } from '../errors.js';
import { guardDirectory } from '../guarded-directory.js';
import { currentHostname, currentPid, isProcessAlive, randomToken } from './process-probe.js';
import { WAL_DIR } from './wal-format.js';

/**
 * Single writer per WAL directory.
 *
 * - `wal/.lock` is created with `createExclusive` holding a JSON `LockOwner`. On a backend with
 *   `capabilities.crossProcessLock` that excludes other processes; elsewhere only this process.
 * - An in-process registry (shared by every copy of this package through `Symbol.for`) maps a key (the
 *   lock's OS path when the backend has one, else the directory object the caller passed) to the
 *   owning token. The key is reserved synchronously before any I/O, so two opens racing in one process
 *   cannot both proceed.
 * - A lock file whose owner is this host and (a) this pid, while no live writer of this process holds
 *   its token (the writer object was abandoned), or (b) a pid the OS says is gone (`ESRCH`), is stale:
 *   it is taken over and the takeover is reported, never silent.
 * - Aliases: two directory objects can reach the same storage under different keys (a symlinked root,
 *   two wrappers of one in-memory directory). When the lock holds the token of a live writer of this
 *   process, a probe file created through this directory and looked up through that writer's directory
 *   tells the same storage (refused: `LockedError`) from a copy of it (a crash snapshot: taken over).
 *
 * - Across hosts liveness cannot be probed, so a lock whose owner is another host is never stale by
 *   itself. An operator who knows that owner is dead opens with `lockTakeover: 'force'`: the lock is
 *   then taken over whoever holds it (reported as `'forced'`). If the old owner is in fact alive, it is
 *   not stopped by the lock (it never re-reads it) but by fencing where the backend has it: on an object
 *   store the successor's `appendFile` of the final segment claims its next part, so the old writer's next
 *   flush fails with `LockedError`. On a file system nothing fences it: force only a lock whose owner is
 *   gone.
 *
 * Takeover protocol: create `wal/.lock.takeover` exclusively (a mutex among would-be successors), re-read
 * `wal/.lock` and replace it only if it still holds the stale token, then remove the mutex. Two processes
 * therefore cannot both replace the same stale lock. Residual race, accepted and documented: if a
 * successor crashes while holding the mutex, the mutex itself goes stale; it is removed by the same
 * dead-pid rule, and two processes doing that at the same instant could both proceed. That needs a
 * crashed owner, a crashed successor and two simultaneous successors.
 */

export const LOCK_PATH = `${WAL_DIR}/.lock`;
const TAKEOVER_PATH = `${WAL_DIR}/.lock.takeover`;

export interface LockOwner {
  pid: number | null;
  hostname: string | null;
  /** Random per acquisition: tells one holder from another with the same pid. */
  token: string;
  /** ISO-8601 time of acquisition. */
  createdAt: string;
}

/**
 * When opening a writer may replace a lock another owner holds: `'if-owner-gone'` (default) only when
 * that owner is provably gone (same host, dead pid, or an abandoned writer of this process);
 * `'force'` always (the operator vouches that the owner is dead, e.g. another machine that crashed).
 */
export type LockTakeoverPolicy = 'if-owner-gone' | 'force';

/** A stale lock that opening a writer replaced. */
export interface LockTakeover {
  previousOwner: LockOwner;
  reason: 'owner-process-gone' | 'abandoned-in-process' | 'forced';
  message: string;
}

const REGISTRY_KEY = Symbol.for('@durability/core/wal-lock-registry');

interface Registry {
  /** Storage key → token of the writer that holds (or is acquiring) its lock. */
  keys: Map<unknown, string>;
  /** Token → directory of every live lock of this process. */
  live: Map<string, DurableDirectory>;
}

function registry(): Registry {
  const holder = globalThis as { [REGISTRY_KEY]?: Registry };
  holder[REGISTRY_KEY] ??= { keys: new Map(), live: new Map() };
  return holder[REGISTRY_KEY];
}

/** A held WAL lock. */
export class WalLock {
  private released = false;

  constructor(
    private readonly dir: DurableDirectory,
    private readonly key: unknown,
    readonly owner: LockOwner,
    readonly takeover: LockTakeover | undefined,
  ) {}

  /** Removes the lock file if it is still ours, and frees the in-process key. Idempotent. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    try {
      const current = await readOwner(this.dir, LOCK_PATH);
      if (current.kind === 'owner' && current.owner.token === this.owner.token)
        await this.dir.delete(LOCK_PATH);
    } finally {
      const reg = registry();
      reg.live.delete(this.owner.token);
      if (reg.keys.get(this.key) === this.owner.token) reg.keys.delete(this.key);
    }
  }
}

/** Acquires the WAL lock of `dir` (already guarded); `key` identifies the storage in this process. */
export async function acquireWalLock(
  dir: DurableDirectory,
  key: unknown,
  options: { takeover?: LockTakeoverPolicy } = {},
): Promise<WalLock> {
  const policy = options.takeover ?? 'if-owner-gone';
  const reg = registry();
  const mine: LockOwner = {
    pid: currentPid(),
    hostname: currentHostname(),
    token: randomToken(),
    createdAt: new Date().toISOString(),
  };
  if (reg.keys.has(key)) {
    throw new LockedError('the WAL already has a writer in this process', { path: LOCK_PATH });
  }
  reg.keys.set(key, mine.token);
  // Live before the lock file exists: a racing open through another directory object of this process
  // that finds our lock file must see a live holder, never an abandoned lock it may take over.
  reg.live.set(mine.token, dir);
  try {
    return await acquire(dir, key, mine, policy);
  } catch (error) {
    reg.live.delete(mine.token);
    if (reg.keys.get(key) === mine.token) reg.keys.delete(key);
    throw error;
  }
}

async function acquire(
  dir: DurableDirectory,
  key: unknown,
  mine: LockOwner,
  policy: LockTakeoverPolicy,
): Promise<WalLock> {
  await dir.mkdirp(WAL_DIR);
  if (await tryCreate(dir, LOCK_PATH, mine)) return new WalLock(dir, key, mine, undefined);
  const found = await readOwner(dir, LOCK_PATH);
  if (found.kind === 'missing') {
    if (await tryCreate(dir, LOCK_PATH, mine)) return new WalLock(dir, key, mine, undefined);
    throw lockedBy(await readOwner(dir, LOCK_PATH));
  }
  if (found.kind === 'unreadable') throw lockedBy(found);
  const forced = policy === 'force';
  const reason = forced ? 'forced' : staleness(found.owner, mine);
  if (!reason) throw lockedBy(found);
  const holder = registry().live.get(found.owner.token);
  if (reason === 'abandoned-in-process' && holder && (await sameStorage(dir, holder))) {
    throw new LockedError('this process already has a writer on this WAL, through another directory object', {
      path: LOCK_PATH,
      owner: found.owner,
    });
  }
  await takeOver(dir, found.owner, mine, forced);
  return new WalLock(dir, key, mine, {
    previousOwner: found.owner,
    reason,
    message: describeTakeover(found.owner, reason, holder !== undefined),
  });
}

/** Why `owner`'s lock is stale, seen from `me`; `undefined` when it may be alive. */
function staleness(owner: LockOwner, me: LockOwner): LockTakeover['reason'] | undefined {
  if (owner.hostname !== me.hostname) return undefined;
  if (owner.pid === me.pid) return 'abandoned-in-process';
  if (owner.pid !== null && !isProcessAlive(owner.pid)) return 'owner-process-gone';
  return undefined;
}

/** True when a file created through `dir` is visible through `other`. */
async function sameStorage(dir: DurableDirectory, other: DurableDirectory): Promise<boolean> {
  const probe = `${WAL_DIR}/.lock.probe-${randomToken()}`;
  await dir.createExclusive(probe, new Uint8Array(0));
  try {
    return await other.exists(probe);
  } finally {
    await dir.delete(probe);
  }
}

async function takeOver(
  dir: DurableDirectory,
  stale: LockOwner,
  mine: LockOwner,
  forced: boolean,
): Promise<void> {
  await claimTakeoverMutex(dir, mine, forced);
  try {
    const current = await readOwner(dir, LOCK_PATH);
    if (current.kind === 'owner' && current.owner.token !== stale.token) throw lockedBy(current);
    if (current.kind === 'unreadable') throw lockedBy(current);
    if (current.kind === 'owner') await dir.delete(LOCK_PATH);
    if (!(await tryCreate(dir, LOCK_PATH, mine))) throw lockedBy(await readOwner(dir, LOCK_PATH));
  } finally {
    const mutex = await readOwner(dir, TAKEOVER_PATH);
    if (mutex.kind === 'owner' && mutex.owner.token === mine.token) await dir.delete(TAKEOVER_PATH);
  }
}

/** With `forced`, a mutex left by any other owner is removed too (a forced takeover is an operator's action: run one at a time). */
async function claimTakeoverMutex(dir: DurableDirectory, mine: LockOwner, forced: boolean): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await tryCreate(dir, TAKEOVER_PATH, mine)) return;
    const holder = await readOwner(dir, TAKEOVER_PATH);
    if (holder.kind === 'missing') continue;
    if (holder.kind === 'owner' && (forced || staleness(holder.owner, mine) === 'owner-process-gone')) {
      await dir.delete(TAKEOVER_PATH);
      continue;
    }
    throw new LockedError('another process is taking over the stale WAL lock', {
      path: TAKEOVER_PATH,
      owner: holder.kind === 'owner' ? holder.owner : undefined,
    });
  }
  throw new LockedError('could not claim the lock-takeover mutex', { path: TAKEOVER_PATH });
}

async function tryCreate(dir: DurableDirectory, path: string, owner: LockOwner): Promise<boolean> {
  try {
    await dir.createExclusive(path, new TextEncoder().encode(`${JSON.stringify(owner)}\n`));
    return true;
  } catch (error) {
    if (AlreadyExistsError.is(error)) return false;
    throw error;
  }
}

type ReadOwner =
  | { kind: 'owner'; owner: LockOwner }
  | { kind: 'missing' }
  | { kind: 'unreadable'; text: string };

/**
 * What `wal/.lock` says, read without taking or changing it (FORMAT.md § Lock file). For an owner, whether
 * its process lives as far as this process can tell: `'alive'` or `'gone'` (`kill(pid, 0)`, same host
 * only), `'unknown'` on another host or without a pid. A writer opening the WAL takes over a `'gone'`
 * owner's lock and refuses the others (unless `lockTakeover: 'force'`). `text`: the first 200 characters
 * of a lock file that is not a lock owner.
 */
export type WalLockState =
  | { kind: 'owner'; owner: LockOwner; liveness: 'alive' | 'gone' | 'unknown' }
  | { kind: 'missing' }
  | { kind: 'unreadable'; text: string };

/** Reads the WAL lock of `dir` (see `WalLockState`); for tools such as `durability inspect`. */
export async function readWalLock(dir: Directory): Promise<WalLockState> {
  const found = await readOwner(guardDirectory(dir), LOCK_PATH);
  if (found.kind !== 'owner') return found;
  const { pid, hostname } = found.owner;
  const checkable = pid !== null && hostname !== null && hostname === currentHostname();
  const liveness = !checkable ? 'unknown' : isProcessAlive(pid) ? 'alive' : 'gone';
  return { ...found, liveness };
}

async function readOwner(dir: Pick<Directory, 'readFile'>, path: string): Promise<ReadOwner> {
  let bytes: Uint8Array;
  try {
    bytes = await dir.readFile(path);
  } catch (error) {
    if (NotFoundError.is(error)) return { kind: 'missing' };
    throw error;
  }
  const text = new TextDecoder().decode(bytes);
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    const pidOk = value.pid === null || Number.isSafeInteger(value.pid);
    const hostOk = value.hostname === null || typeof value.hostname === 'string';
    if (pidOk && hostOk && typeof value.token === 'string' && typeof value.createdAt === 'string') {
      return { kind: 'owner', owner: value as LockOwner };
    }
  } catch {
    // falls through: not JSON
  }
  return { kind: 'unreadable', text: text.slice(0, 200) };
}

function lockedBy(found: ReadOwner): LockedError {
  if (found.kind === 'owner') {
    const { pid, hostname, createdAt } = found.owner;
    return new LockedError(
      `the WAL is locked by pid ${pid ?? '?'} on host ${hostname ?? '?'} since ${createdAt}`,
      {
        path: LOCK_PATH,
        owner: found.owner,
      },
    );
  }
  if (found.kind === 'unreadable') {
    return new LockedError('the WAL lock file is unreadable; remove it only if no writer is running', {
      path: LOCK_PATH,
      actual: found.text,
    });
  }
  return new LockedError('the WAL lock changed hands while it was being acquired', { path: LOCK_PATH });
}

function describeTakeover(owner: LockOwner, reason: LockTakeover['reason'], copied: boolean): string {
  const who = `pid ${owner.pid ?? '?'} on host ${owner.hostname ?? '?'} (locked since ${owner.createdAt})`;
  if (reason === 'owner-process-gone')
    return `took over the WAL lock of ${who}: that process no longer exists`;
  if (reason === 'forced') return `took over the WAL lock of ${who}: forced (lockTakeover: 'force')`;
  return copied
    ? `took over the WAL lock of ${who}: it was copied from a WAL that a live writer of this process holds elsewhere`
    : `took over the WAL lock of ${who}: this process holds no open writer for it (a writer was abandoned without close)`;
}
