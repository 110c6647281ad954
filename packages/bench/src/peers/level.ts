import { ClassicLevel } from 'classic-level';
import { cbor, recordAt } from '../records.js';
import { perSecond } from '../stats.js';

/**
 * classic-level (LevelDB) storing the same records: key = 8-byte big-endian sequence number, value =
 * the record as CBOR (the WAL's codec). `sync: true` makes LevelDB fsync its log before a write resolves;
 * LevelDB itself groups concurrent writers into one log write and sync.
 */

type Db = ClassicLevel<Uint8Array, Uint8Array>;

function open(dir: string): Db {
  return new ClassicLevel<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
}

function keyOf(seq: number): Uint8Array {
  const key = new Uint8Array(8);
  new DataView(key.buffer).setBigUint64(0, BigInt(seq));
  return key;
}

/**
 * `concurrency` writers, each putting records one at a time with `sync`, until `records` are stored;
 * `batch` > 1 writes batches of that many instead (one writer). Returns records/s.
 */
export async function levelWrite(
  dir: string,
  records: number,
  options: { sync: boolean; concurrency?: number; batch?: number },
): Promise<number> {
  const db = open(dir);
  await db.open();
  try {
    const batch = options.batch ?? 1;
    const concurrency = options.concurrency ?? 1;
    let next = 0;
    const start = performance.now();
    if (batch > 1) {
      for (let done = 0; done < records; done += batch) {
        const ops = [];
        for (let i = done; i < Math.min(records, done + batch); i++) {
          ops.push({ type: 'put' as const, key: keyOf(i), value: cbor.encode(recordAt(i)) });
        }
        await db.batch(ops, { sync: options.sync });
      }
    } else {
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          for (let i = next++; i < records; i = next++) {
            await db.put(keyOf(i), cbor.encode(recordAt(i)), { sync: options.sync });
          }
        }),
      );
    }
    return perSecond(records, performance.now() - start);
  } finally {
    await db.close();
  }
}

/** Setup for the read-back row: `records` records in batches of 1000, not synced, then compacted. */
export async function levelLoad(dir: string, records: number): Promise<void> {
  await levelWrite(dir, records, { sync: false, batch: 1000 });
}

/** Reads every record back in key order and decodes it; returns the count. */
export async function levelRead(dir: string): Promise<number> {
  const db = open(dir);
  await db.open();
  try {
    let count = 0;
    const iterator = db.iterator();
    for (;;) {
      const entries = await iterator.nextv(1000);
      if (entries.length === 0) break;
      for (const [, value] of entries) {
        cbor.decode(value);
        count++;
      }
    }
    await iterator.close();
    return count;
  } finally {
    await db.close();
  }
}
