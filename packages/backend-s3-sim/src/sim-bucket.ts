import { createHash } from 'node:crypto';
import { compareUtf8, lowerBound } from './key-order.js';
import { SeededRandom } from './random.js';
import type { SimEffect, SimFaults, SimObject, SimRequest, SimStats } from './sim-types.js';

export function emptyStats(): SimStats {
  return {
    requests: { put: 0, get: 0, head: 0, list: 0, delete: 0, total: 0 },
    bytesIn: 0,
    bytesOut: 0,
    throttled: 0,
    unknownOutcomes: 0,
    preconditionFailures: 0,
    conflicts: 0,
  };
}

export function makeObject(body: Uint8Array, metadata: Readonly<Record<string, string>>): SimObject {
  return Object.freeze({
    body,
    etag: createHash('md5').update(body).digest('hex'),
    metadata: Object.freeze({ ...metadata }),
  });
}

/**
 * The shared state behind one simulated bucket and every client view of it: objects, keys in byte order,
 * counters, the request log, the random source, and the keys with a conditional PUT in flight.
 */
export class SimBucket {
  readonly objects = new Map<string, SimObject>();
  /** Every key, in UTF-8 byte order (S3's LIST order). */
  readonly sortedKeys: string[] = [];
  stats: SimStats = emptyStats();
  readonly log: SimRequest[] = [];
  readonly conditionalInFlight = new Set<string>();
  nextSeq = 1;
  faults: Required<Omit<SimFaults, 'latencyMs'>> & { latencyMs: SimFaults['latencyMs'] };
  readonly random: SeededRandom;

  constructor(
    seed: number,
    faults: SimFaults,
    readonly recordRequests: boolean,
  ) {
    this.random = new SeededRandom(seed);
    this.faults = {
      latencyMs: 0,
      throttleProbability: 0,
      unknownOutcomeProbability: 0,
      lostRequestProbability: 0,
    };
    this.setFaults(faults);
  }

  setFaults(faults: SimFaults): void {
    for (const name of [
      'throttleProbability',
      'unknownOutcomeProbability',
      'lostRequestProbability',
    ] as const) {
      const value = faults[name];
      if (value === undefined) continue;
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
        throw new RangeError(`${name} must be a number in [0, 1], got ${value}`);
      }
      this.faults[name] = value;
    }
    if (faults.latencyMs !== undefined) {
      const latency = faults.latencyMs;
      const [min, max] = typeof latency === 'number' ? [latency, latency] : [latency.min, latency.max];
      if (!Number.isFinite(min) || !Number.isFinite(max) || min < 0 || max < min) {
        throw new RangeError(`latencyMs must be ≥ 0 (and min ≤ max), got ${JSON.stringify(latency)}`);
      }
      this.faults.latencyMs = latency;
    }
  }

  /** Milliseconds the next request waits, drawn from the seeded source. */
  drawLatency(): number {
    const latency = this.faults.latencyMs ?? 0;
    if (typeof latency === 'number') return latency;
    return latency.min + this.random.next() * (latency.max - latency.min);
  }

  apply(effect: SimEffect): void {
    if (effect.type === 'put') {
      if (!this.objects.has(effect.key))
        this.sortedKeys.splice(lowerBound(this.sortedKeys, effect.key), 0, effect.key);
      this.objects.set(effect.key, effect.object);
    } else if (this.objects.delete(effect.key)) {
      const index = lowerBound(this.sortedKeys, effect.key);
      if (this.sortedKeys[index] === effect.key) this.sortedKeys.splice(index, 1);
    }
  }

  /** Index of the first key after `key` (exclusive) in byte order. */
  indexAfter(key: string): number {
    let index = lowerBound(this.sortedKeys, key);
    while (index < this.sortedKeys.length && compareUtf8(this.sortedKeys[index]!, key) <= 0) index++;
    return index;
  }
}
