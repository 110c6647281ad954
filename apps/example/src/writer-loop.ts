import type { Directory, WalEntry } from '@durability/core';
import { WalWriter } from '@durability/core';
import { CRASH_BATCH, crashEntryFor, WAL_OPTIONS } from './catalog.js';

/** What the crashing writer acknowledges, as it happens. */
export type Ack =
  | { kind: 'resumed'; nextEntryId: number }
  | { kind: 'flushed'; lastEntryId: number }
  | { kind: 'synced'; lastEntryId: number };

/**
 * The writer that gets crashed: resumes the catalog WAL and appends `crashEntryFor(id)` batches forever,
 * alternating `flush()` (process-crash safe) and `flushAndSync()` (power-loss safe), reporting each
 * acknowledgement through `ack` only after the promise resolved. Stops only when `shouldStop` says so (the
 * in-process simulation) or when the process is killed.
 */
export async function runCrashingWriter(
  dir: Directory,
  ack: (ack: Ack) => void,
  shouldStop: () => boolean = () => false,
): Promise<WalWriter<WalEntry>> {
  const wal = await WalWriter.resume<WalEntry>(dir, WAL_OPTIONS);
  let next = (wal.lastEntryId ?? 0) + 1;
  ack({ kind: 'resumed', nextEntryId: next });
  for (let batch = 0; !shouldStop(); batch++) {
    const ids = await wal.appendBatch(Array.from({ length: CRASH_BATCH }, (_, i) => crashEntryFor(next + i)));
    if (ids[0] !== next) throw new Error(`the WAL assigned id ${ids[0]} to the entry written as ${next}`);
    next += ids.length;
    if (batch % 2 === 1) {
      await wal.flushAndSync();
      ack({ kind: 'synced', lastEntryId: next - 1 });
    } else {
      await wal.flush();
      ack({ kind: 'flushed', lastEntryId: next - 1 });
    }
  }
  return wal;
}
