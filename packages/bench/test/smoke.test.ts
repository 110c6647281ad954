import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsDirectory } from '@durability/backend-fs';
import { MemoryDirectory } from '@durability/backend-memory';
import { WalReader } from '@durability/core';
import { afterAll, describe, expect, it } from 'vitest';
import { countingFsDirectory, oursBuffered, oursDurable, writeOurWal } from '../src/ours.js';
import { RAW_LOG_FILE, rawDurableAsync, rawFramedLog, rawReplay } from '../src/raw.js';
import { RECORD_BYTES, recordAt } from '../src/records.js';
import { type Row, renderMarkdown, renderText } from '../src/report.js';
import { quantile, roundRobin, summarize } from '../src/stats.js';

const root = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('bench smoke (a few hundred records per row)', () => {
  it('records are ~100 bytes of CBOR', () => {
    expect(RECORD_BYTES).toBeGreaterThanOrEqual(90);
    expect(RECORD_BYTES).toBeLessThanOrEqual(110);
    expect(recordAt(5).value).toMatch(/^[0-9a-f]{64}$/);
  });

  it('summarize and quantile', () => {
    expect(summarize([3, 1, 2])).toEqual({ median: 2, min: 1, max: 3, runs: 3 });
    expect(summarize([4, 1, 2, 3]).median).toBe(2.5);
    expect(quantile([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.99)).toBe(10);
  });

  it('roundRobin alternates contenders repetition by repetition and drops the warm-up rounds', async () => {
    const order: string[] = [];
    const contender = (name: string, scale: number) => (rep: number) => {
      order.push(`${name}${rep}`);
      return rep * scale;
    };
    const results = await roundRobin(2, { a: contender('a', 1), b: contender('b', 10) }, 1);
    expect(order).toEqual(['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
    expect(results).toEqual({ a: [1, 2], b: [10, 20] });
  });

  it('the raw framed log replays what it wrote, and a flipped byte fails its CRC', () => {
    const dir = join(root, 'raw');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    expect(rawFramedLog(dir, 300)).toBeGreaterThan(0);
    const seen: unknown[] = [];
    expect(rawReplay(join(dir, RAW_LOG_FILE), (v) => seen.push(v))).toBe(300);
    expect(seen[7]).toEqual(recordAt(7));
    const bytes = readFileSync(join(dir, RAW_LOG_FILE));
    bytes[8 + 20]! ^= 0xff;
    writeFileSync(join(dir, RAW_LOG_FILE), bytes);
    expect(() => rawReplay(join(dir, RAW_LOG_FILE), () => undefined)).toThrow(/checksum/);
  });

  it('the raw durable loops through fs/promises write every record, with datasync or an O_DSYNC descriptor', async () => {
    for (const sync of ['datasync', 'dsync'] as const) {
      const dir = join(root, `raw-async-${sync}`);
      mkdirSync(dir, { recursive: true });
      expect(await rawDurableAsync(dir, 64, 8, sync)).toBeGreaterThan(0);
      expect(rawReplay(join(dir, 'durable-async-8.log'))).toBe(64);
    }
  });

  it('ours: buffered and durable rows write what replay reads back', async () => {
    const fsDir = new FsDirectory(join(root, 'ours'));
    expect(await oursBuffered(fsDir, 300)).toBeGreaterThan(0);
    const records = await new WalReader(fsDir).replay();
    expect(records).toHaveLength(300);
    expect(records[299]!.payload).toEqual(recordAt(299));
    const mem = new MemoryDirectory();
    expect(await oursDurable(mem, 200, 8)).toBeGreaterThan(0);
    expect(await new WalReader(mem).replay()).toHaveLength(200);
    const again = new MemoryDirectory();
    await writeOurWal(again, 50);
    expect((await new WalReader(again).replay()).map((r) => r.entryId)).toEqual(
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
  });

  it('ours, io: blocking: durable appends are synced and counted like the default mode', async () => {
    for (const io of ['async', 'blocking'] as const) {
      const counting = countingFsDirectory(join(root, `durable-${io}`), io);
      expect(await oursDurable(counting.dir, 64, 8)).toBeGreaterThan(0);
      // 64 durable appends by 8 appenders: at least 8 group syncs, at most one per append (+ setup).
      expect(counting.syncs()).toBeGreaterThanOrEqual(8);
      expect(counting.syncs()).toBeLessThanOrEqual(64 + 8);
      expect(await new WalReader(counting.dir).replay()).toHaveLength(64);
    }
  });

  it('the report shows ratios and verdicts', () => {
    const row: Row = {
      section: '9',
      name: 'example',
      unit: 'rec/s',
      higherIsBetter: true,
      ours: summarize([90, 100, 110]),
      raw: { label: 'raw', sample: summarize([200]) },
      peers: [
        { label: 'a', sample: summarize([50]) },
        { label: 'b', sample: summarize([80]) },
      ],
      target: { text: '≥ 0.9× raw', met: false },
    };
    const text = renderText([row]);
    expect(text).toContain('0.50×'); // ours / raw
    expect(text).toContain('1.25×'); // ours / best peer (b)
    expect(text).toContain('MISSED');
    expect(renderMarkdown([row])).toContain('| 9 example |');
  });
});
