import { CBOR_OPTIONS } from '@durability/core';
import { Encoder } from 'cbor-x';

/**
 * The benchmark record: `{ id, key, value }` with a 64-hex-character value, about 100 bytes as CBOR
 * (97 bytes for 6-digit ids). Every engine stores the same records. A pool of distinct records is built
 * once and cycled, so the timed loops measure storing, not generating.
 */
export interface BenchRecord {
  id: number;
  key: string;
  value: string;
}

export const POOL_SIZE = 4096;

export function makeRecord(id: number): BenchRecord {
  let value = '';
  let x = (id + 1) * 2654435761;
  for (let i = 0; i < 8; i++) {
    x = Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) >>> 0;
    value += x.toString(16).padStart(8, '0');
  }
  return { id, key: `key-${String(id).padStart(8, '0')}`, value };
}

/** `POOL_SIZE` records with ids 100000.. (6 digits, so encoded sizes match a run of 1M ids). */
export const RECORD_POOL: readonly BenchRecord[] = Array.from({ length: POOL_SIZE }, (_, i) =>
  makeRecord(100_000 + i),
);

/** The i-th record of a run (cycling through the pool). */
export function recordAt(i: number): BenchRecord {
  return RECORD_POOL[i & (POOL_SIZE - 1)]!;
}

/** The same cbor-x configuration as the WAL's default codec, for the raw log and the peers. */
export const cbor = new Encoder({ ...CBOR_OPTIONS });

/** Encoded size of one record, as stored by the WAL's default codec. */
export const RECORD_BYTES = cbor.encode(recordAt(0)).length;
