import { WalWriter } from '@durability/core';
import type { BenchConfig } from './config.js';
import { type BenchRecord, recordAt } from './records.js';
import type { Row } from './report.js';
import { perSecond, summarize } from './stats.js';

/**
 * Section 6 on the simulated object store (`@durability/backend-s3-sim`): appends as part objects, one
 * PUT per flush. Reports records/s (in-process simulation, no latency injected: the cost of the request
 * path, not of a network) and requests issued per 1,000 appends, which is what an S3 bill and S3 latency
 * scale with. Loaded dynamically so the bench still runs while the package has no `SimDirectory`.
 */
export async function s3SimRows(c: BenchConfig): Promise<Row[]> {
  const sim = (await import('@durability/backend-s3-sim')) as Record<string, unknown>;
  const SimDirectory = sim.SimDirectory as
    | (new () => import('@durability/core').Directory & {
        store: { resetStats(): void; stats: { requests: { total: number } } };
      })
    | undefined;
  if (typeof SimDirectory !== 'function') {
    process.stderr.write('  s3-sim: @durability/backend-s3-sim exports no SimDirectory yet; rows left out\n');
    return [];
  }
  const rows: Row[] = [];
  const scenarios = [
    {
      name: 'buffered append + one final flushAndSync',
      records: Math.min(c.memoryRecords, 200_000),
      concurrency: 0,
    },
    { name: 'durable single writer', records: 500, concurrency: 1 },
    { name: '64 concurrent durable appenders', records: c.concurrentRecords[64]!, concurrency: 64 },
  ];
  for (const scenario of scenarios) {
    const rates: number[] = [];
    const perThousand: number[] = [];
    for (let rep = 0; rep < c.reps; rep++) {
      const dir = new SimDirectory();
      const wal = await WalWriter.create<BenchRecord>(dir);
      dir.store.resetStats();
      const start = performance.now();
      if (scenario.concurrency === 0) {
        for (let i = 0; i < scenario.records; i++) await wal.append(recordAt(i));
        await wal.flushAndSync();
      } else {
        let next = 0;
        await Promise.all(
          Array.from({ length: scenario.concurrency }, async () => {
            for (let i = next++; i < scenario.records; i = next++) {
              await wal.append(recordAt(i));
              await wal.flushAndSync();
            }
          }),
        );
      }
      rates.push(perSecond(scenario.records, performance.now() - start));
      perThousand.push((dir.store.stats.requests.total / scenario.records) * 1000);
      await wal.close();
    }
    const requests = summarize(perThousand);
    rows.push({
      section: '6',
      name: `s3-sim: ${scenario.name}`,
      unit: 'rec/s',
      higherIsBetter: true,
      ours: summarize(rates),
      note: `${requests.median.toPrecision(3)} requests per 1,000 appends (min ${requests.min.toPrecision(3)}, max ${requests.max.toPrecision(3)}); ${scenario.records} appends per repetition; in-process simulation, no injected latency`,
    });
  }
  return rows;
}
