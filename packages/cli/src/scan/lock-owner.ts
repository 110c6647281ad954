import { hostname } from 'node:os';
import { type Directory, NotFoundError, WAL_LOCK_PATH } from '@durability/core';

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

/** The lock of the WAL in `dir`, or `undefined` when no writer holds it. */
export async function readLockOwner(dir: Directory): Promise<LockInfo | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await dir.readFile(WAL_LOCK_PATH);
  } catch (error) {
    if (NotFoundError.is(error)) return undefined;
    throw error;
  }
  const text = new TextDecoder().decode(bytes);
  const owner = parseOwner(text);
  if (!owner) {
    return {
      path: WAL_LOCK_PATH,
      status: 'unreadable',
      pid: null,
      hostname: null,
      createdAt: null,
      sameHost: false,
      alive: null,
      raw: text.slice(0, 200),
    };
  }
  const sameHost = owner.hostname !== null && owner.hostname === hostname();
  const alive = sameHost && owner.pid !== null ? isProcessAlive(owner.pid) : null;
  const status: LockStatus = alive === null ? 'unknown' : alive ? 'live' : 'stale';
  return { path: WAL_LOCK_PATH, status, ...owner, sameHost, alive };
}

interface Owner {
  pid: number | null;
  hostname: string | null;
  createdAt: string | null;
}

function parseOwner(text: string): Owner | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { pid, hostname: host, createdAt } = value as Record<string, unknown>;
  const pidOk = pid === null || (typeof pid === 'number' && Number.isSafeInteger(pid));
  const hostOk = host === null || typeof host === 'string';
  if (!pidOk || !hostOk || typeof createdAt !== 'string') return undefined;
  return { pid: pid as number | null, hostname: host as string | null, createdAt };
}

/** False only when the OS says no such process exists; a process we may not signal is alive. */
function isProcessAlive(pid: number): boolean {
  if (pid <= 0) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown }).code !== 'ESRCH';
  }
}
