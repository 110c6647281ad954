import { hostname } from 'node:os';
import { type Directory, readWalLock, WAL_LOCK_PATH } from '@durability/core';

/**
 * Reads the single-writer lock `wal/.lock` (FORMAT.md § Lock file: one JSON object
 * `{"pid","hostname","token","createdAt"}`) without touching it, and judges its owner the way a writer
 * opening the WAL would: on this host, a pid the OS says is gone (`kill(pid, 0)` → `ESRCH`) is `stale`
 * (a writer would take the lock over); any other pid is `live`. On another host, or without a pid, the
 * owner cannot be checked: `unknown` (a writer would refuse it).
 */

export type LockStatus = 'live' | 'stale' | 'unknown' | 'unreadable';

export interface LockInfo {
  path: string;
  status: LockStatus;
  pid: number | null;
  hostname: string | null;
  /** ISO-8601 time the lock was taken. */
  createdAt: string | null;
  /** True when the owner's hostname is this host's. */
  sameHost: boolean;
  /** Whether the owner process is alive: `null` when it cannot be known from here. */
  alive: boolean | null;
  /** The first 200 characters of an unreadable lock file. */
  raw?: string;
}

const STATUS = { alive: 'live', gone: 'stale', unknown: 'unknown' } as const;

/** The lock of the WAL in `dir`, or `undefined` when no writer holds it (core's `readWalLock`). */
export async function readLockOwner(dir: Directory): Promise<LockInfo | undefined> {
  const found = await readWalLock(dir);
  if (found.kind === 'missing') return undefined;
  if (found.kind === 'unreadable') {
    return {
      path: WAL_LOCK_PATH,
      status: 'unreadable',
      pid: null,
      hostname: null,
      createdAt: null,
      sameHost: false,
      alive: null,
      raw: found.text,
    };
  }
  const { pid, hostname: host, createdAt } = found.owner;
  return {
    path: WAL_LOCK_PATH,
    status: STATUS[found.liveness],
    pid,
    hostname: host,
    createdAt,
    sameHost: host !== null && host === hostname(),
    alive: found.liveness === 'unknown' ? null : found.liveness === 'alive',
  };
}
