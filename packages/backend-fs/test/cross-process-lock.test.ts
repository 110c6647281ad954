import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { LockedError, WalWriter } from '@durability/core';
import { describe, expect, it } from 'vitest';
import { FsDirectory } from '../src/index.js';
import { killHard, spawnChild } from './crash/crash-harness.js';
import type { ChildMessage } from './crash/wal-child.js';
import { tempDir } from './helpers.js';

/**
 * Single writer across processes (ARCHITECTURE §4): `wal/.lock` is created with `link(2)`, so a writer in
 * another process is refused with `LockedError` naming the owner; once the owner is SIGKILLed, the next
 * writer takes the stale lock over and says whose it was.
 */
describe('cross-process writer exclusion (real processes)', () => {
  it('a second process gets LockedError naming the owner pid; after SIGKILL the lock is taken over', async () => {
    const root = await tempDir();
    const holder = spawnChild(['hold-lock', root]);
    try {
      await holder.waitFor((m) => m.type === 'locked');

      // Another process is refused, and told who holds the lock.
      const second = spawnChild(['try-lock', root]);
      const refused = await second.waitFor((m) => m.type === 'error' || m.type === 'opened');
      await second.closed;
      expect(refused).toMatchObject({
        type: 'error',
        name: 'LockedError',
        code: 'LOCKED',
        owner: { pid: holder.pid },
      });
      expect((refused as Extract<ChildMessage, { type: 'error' }>).message).toContain(`pid ${holder.pid}`);

      // So is this process (a third one, same host).
      const error = await WalWriter.resume(new FsDirectory(root)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(LockedError.is(error)).toBe(true);
      expect((error as LockedError).owner).toMatchObject({ pid: holder.pid });

      // The owner dies without releasing the lock: the file stays, its pid is gone.
      await killHard(holder);
      await access(join(root, 'wal', '.lock'));

      const successor = spawnChild(['try-lock', root]);
      const opened = await successor.waitFor((m) => m.type === 'error' || m.type === 'opened');
      const { code } = await successor.closed;
      expect(code, successor.stderr()).toBe(0);
      expect(opened).toMatchObject({
        type: 'opened',
        takeover: { pid: holder.pid, reason: 'owner-process-gone' },
      });
      const takeover = (opened as Extract<ChildMessage, { type: 'opened' }>).takeover!;
      expect(takeover.message).toContain(`pid ${holder.pid}`);
      expect(takeover.message).toContain('no longer exists');

      // The successor closed cleanly: the lock is free, no takeover needed.
      const wal = await WalWriter.resume(new FsDirectory(root));
      expect(wal.lockTakeover).toBeUndefined();
      await wal.close();
    } finally {
      if (holder.process.exitCode === null && holder.process.signalCode === null) await killHard(holder);
    }
  }, 60_000);
});
