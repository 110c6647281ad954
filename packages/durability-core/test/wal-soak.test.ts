import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsDirectory } from '@durability/backend-fs';
import { describe, expect, it } from 'vitest';
import { bytesCodec, WalReader, WalWriter } from '../src/index.js';

/**
 * Opt-in (DURABILITY_SOAK=1): streaming replay keeps memory flat. Writes a WAL of ~300 MiB on the fs
 * backend, replays it with `replayEach`, samples RSS and heap, and prints peak versus baseline.
 */
const SOAK = process.env.DURABILITY_SOAK === '1';
const TOTAL_BYTES = Number(process.env.DURABILITY_SOAK_MIB ?? 300) * 1024 * 1024;
const ENTRY_BYTES = Number(process.env.DURABILITY_SOAK_ENTRY_BYTES ?? 4096);
const MiB = 1024 * 1024;

describe.runIf(SOAK)('WAL soak: streaming replay of a large WAL (fs)', () => {
  it('keeps peak RSS independent of the WAL size', { timeout: 600_000 }, async () => {
    const root = await mkdtemp(join(tmpdir(), 'durability-wal-soak-'));
    try {
      const dir = new FsDirectory(root);
      const entries = Math.ceil(TOTAL_BYTES / ENTRY_BYTES);
      const w = await WalWriter.create<Uint8Array>(dir, { codec: bytesCodec, segmentSizeBytes: 64 * MiB });
      const payload = new Uint8Array(ENTRY_BYTES);
      for (let i = 0; i < entries; i++) {
        payload[0] = i & 0xff;
        await w.append(payload);
      }
      await w.close();

      (globalThis as { gc?: () => void }).gc?.();
      await new Promise((resolve) => setTimeout(resolve, 100));
      const baseline = process.memoryUsage();
      let peakRss = baseline.rss;
      let peakHeap = baseline.heapUsed;
      let seen = 0;
      const started = performance.now();
      const report = await new WalReader<Uint8Array>(dir, { codec: bytesCodec }).replayEach((record) => {
        if (record.payload[0] !== (seen & 0xff) || record.entryId !== seen + 1)
          throw new Error('out of order');
        seen++;
        if (seen % 1024 === 0) {
          const now = process.memoryUsage();
          peakRss = Math.max(peakRss, now.rss);
          peakHeap = Math.max(peakHeap, now.heapUsed);
        }
      });
      const seconds = (performance.now() - started) / 1000;
      const walMiB = (entries * (ENTRY_BYTES + 20)) / MiB;
      console.log(
        `soak: WAL ${walMiB.toFixed(0)} MiB in ${report.segmentCount} segments, ${seen} entries replayed in ` +
          `${seconds.toFixed(1)} s (${(walMiB / seconds).toFixed(0)} MiB/s); RSS baseline ` +
          `${(baseline.rss / MiB).toFixed(0)} MiB, peak ${(peakRss / MiB).toFixed(0)} MiB ` +
          `(+${((peakRss - baseline.rss) / MiB).toFixed(1)} MiB); heap baseline ` +
          `${(baseline.heapUsed / MiB).toFixed(0)} MiB, peak ${(peakHeap / MiB).toFixed(0)} MiB`,
      );
      expect(seen).toBe(entries);
      expect(report.reason).toBe('clean-end');
      expect(peakRss - baseline.rss).toBeLessThan(64 * MiB);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
