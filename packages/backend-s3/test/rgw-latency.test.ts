import { expect, it } from 'vitest';
import { describeWithS3, emptyStore, newStore } from './support/s3-env.js';

const REQUESTS = 100;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

async function timeEach(count: number, request: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await request(i);
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b);
}

describeWithS3('S3ObjectStore round-trip times on the real server', (env) => {
  it(`measures PUT 1 KiB, GET, HEAD and LIST (${REQUESTS} sequential requests each)`, {
    timeout: 120_000,
  }, async () => {
    const store = newStore(env, 'latency');
    try {
      const body = new Uint8Array(1024).fill(7);
      const key = (i: number) => `obj/${String(i).padStart(4, '0')}`;
      const results = {
        'PUT 1 KiB': await timeEach(REQUESTS, (i) => store.putObject(key(i), body)),
        'GET 1 KiB': await timeEach(REQUESTS, (i) => store.getObject(key(i))),
        HEAD: await timeEach(REQUESTS, (i) => store.headObject(key(i))),
        [`LIST (${REQUESTS} keys)`]: await timeEach(REQUESTS, () => store.listObjects({ prefix: 'obj/' })),
        "PUT 1 KiB ifNoneMatch '*'": await timeEach(REQUESTS, (i) =>
          store.putObject(`new/${i}`, body, { ifNoneMatch: '*' }),
        ),
      };
      const lines = Object.entries(results).map(
        ([name, samples]) =>
          `  ${name.padEnd(26)} p50 ${percentile(samples, 50).toFixed(2).padStart(6)} ms   p99 ${percentile(samples, 99).toFixed(2).padStart(6)} ms`,
      );
      console.log(`[rgw round trips] ${env.endpoint}\n${lines.join('\n')}`);
      expect((await store.listObjects({ prefix: 'obj/' })).objects).toHaveLength(REQUESTS);
    } finally {
      await emptyStore(store);
    }
  });
});
