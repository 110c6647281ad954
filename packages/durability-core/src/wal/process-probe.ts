/**
 * Who this process is, and whether another process on this host is alive, without importing any Node
 * module: `globalThis.process` and `process.getBuiltinModule('node:os')` when the runtime has them.
 * Outside Node every answer is "unknown" (`null`), and liveness is assumed (never steal a lock on a
 * guess).
 */

interface NodeLikeProcess {
  pid?: number;
  kill?: (pid: number, signal: number) => unknown;
  getBuiltinModule?: (id: string) => unknown;
}

function nodeProcess(): NodeLikeProcess | undefined {
  const candidate = (globalThis as { process?: NodeLikeProcess }).process;
  return typeof candidate === 'object' && candidate !== null ? candidate : undefined;
}

/** This process's id, or `null` when the runtime has none. */
export function currentPid(): number | null {
  const pid = nodeProcess()?.pid;
  return typeof pid === 'number' ? pid : null;
}

/** This host's name, or `null` when the runtime cannot tell. */
export function currentHostname(): string | null {
  try {
    const os = nodeProcess()?.getBuiltinModule?.('node:os') as { hostname?: () => string } | undefined;
    const name = os?.hostname?.();
    return typeof name === 'string' ? name : null;
  } catch {
    return null;
  }
}

/**
 * False only when the OS says no process has `pid` (`kill(pid, 0)` fails with `ESRCH`). A process we
 * may not signal (`EPERM`) is alive; a runtime without `kill` cannot tell and answers true. A reused pid
 * reads as alive: the safe direction (the lock is refused, never stolen).
 */
export function isProcessAlive(pid: number): boolean {
  const proc = nodeProcess();
  if (typeof proc?.kill !== 'function' || !Number.isSafeInteger(pid) || pid <= 0) return true;
  try {
    proc.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: unknown })?.code !== 'ESRCH';
  }
}

/** A random token naming one lock acquisition. */
export function randomToken(): string {
  const crypto = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (typeof crypto?.randomUUID === 'function') return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}
