import { join } from 'node:path';
import Database from 'better-sqlite3';
import { recordAt } from '../records.js';
import { perSecond } from '../stats.js';

/**
 * better-sqlite3 (SQLite in WAL journal mode) storing the same records as rows
 * `(id INTEGER PRIMARY KEY, key TEXT, value TEXT)`. In WAL mode, `synchronous = FULL` fsyncs the WAL at
 * every commit (durable); `NORMAL` does not (a commit survives a process crash, not a power loss).
 */

export type Synchronous = 'FULL' | 'NORMAL';
export const SQLITE_FILE = 'bench.sqlite';

function openDb(dir: string, synchronous: Synchronous): Database.Database {
  const db = new Database(join(dir, SQLITE_FILE));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  db.exec(
    'CREATE TABLE IF NOT EXISTS records (id INTEGER PRIMARY KEY, key TEXT NOT NULL, value TEXT NOT NULL)',
  );
  return db;
}

/**
 * Inserts `records` rows in transactions of `perTransaction` rows (1 = autocommit, one per call); returns
 * records/s. Latencies (ms per transaction) go to `latencies` when given.
 */
export function sqliteInsert(
  dir: string,
  synchronous: Synchronous,
  records: number,
  perTransaction: number,
  latencies?: number[],
): number {
  const db = openDb(dir, synchronous);
  try {
    const insert = db.prepare('INSERT INTO records (id, key, value) VALUES (?, ?, ?)');
    const batch = db.transaction((from: number, count: number) => {
      for (let i = from; i < from + count; i++) {
        const r = recordAt(i);
        insert.run(i + 1, r.key, r.value);
      }
    });
    const start = performance.now();
    for (let done = 0; done < records; done += perTransaction) {
      const t = performance.now();
      if (perTransaction === 1) {
        const r = recordAt(done);
        insert.run(done + 1, r.key, r.value);
      } else {
        batch(done, Math.min(perTransaction, records - done));
      }
      latencies?.push(performance.now() - t);
    }
    return perSecond(records, performance.now() - start);
  } finally {
    db.close();
  }
}

/** Setup for the read-back row: `records` rows in large non-durable transactions, then a checkpoint. */
export function sqliteLoad(dir: string, records: number): void {
  sqliteInsert(dir, 'NORMAL', records, 10_000);
  const db = new Database(join(dir, SQLITE_FILE));
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

/** Reads every row back in id order as objects; returns the count. */
export function sqliteRead(dir: string): number {
  const db = new Database(join(dir, SQLITE_FILE), { readonly: true });
  try {
    let count = 0;
    for (const row of db.prepare('SELECT id, key, value FROM records ORDER BY id').iterate()) {
      if ((row as { id: number }).id !== count + 1) throw new Error('sqlite: rows out of order');
      count++;
    }
    return count;
  } finally {
    db.close();
  }
}
