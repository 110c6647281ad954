import type { ObjectStore } from '@durability/core';

/** How the suite gets a fresh, empty store (an empty key space) for each test, and how it disposes of one. */
export interface ObjectStoreContractOptions {
  /**
   * A store whose key space is empty: a new in-process store, or a real bucket under a key prefix no
   * other test uses. Called once per test.
   */
  create: () => ObjectStore | Promise<ObjectStore>;
  /** Releases what `create` allocated (e.g. deletes every key under the test's prefix). Called after every test. */
  destroy?: (store: ObjectStore) => Promise<void>;
}

/** Gives each test its own store and always disposes of it. */
export class StoreFixture {
  constructor(private readonly options: ObjectStoreContractOptions) {}

  async run<T>(body: (store: ObjectStore) => Promise<T>): Promise<T> {
    const store = await this.options.create();
    try {
      return await body(store);
    } finally {
      await this.options.destroy?.(store);
    }
  }
}

/** Runs `action` over `items` with at most `concurrency` in flight (bulk setup against a real server). */
export async function forEachLimited<T>(
  items: readonly T[],
  concurrency: number,
  action: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await action(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Every key under `prefix`, following continuation tokens (`maxKeys` per page). */
export async function listAll(
  store: ObjectStore,
  options: { prefix?: string; maxKeys?: number } = {},
): Promise<{ keys: string[]; pages: number }> {
  const keys: string[] = [];
  let token: string | undefined;
  let pages = 0;
  do {
    const page = await store.listObjects({
      ...options,
      ...(token === undefined ? {} : { continuationToken: token }),
    });
    pages++;
    keys.push(...page.objects.map((object) => object.key));
    token = page.nextContinuationToken;
    if (pages > 10_000) throw new Error('listAll: more than 10,000 pages; the store never ends its listing');
  } while (token !== undefined);
  return { keys, pages };
}

/** Sorts strings by their UTF-8 bytes (S3's LIST order), which differs from JavaScript's UTF-16 order. */
export function utf8Sorted(keys: readonly string[]): string[] {
  const encoder = new TextEncoder();
  return [...keys].sort((a, b) => compareBytes(encoder.encode(a), encoder.encode(b)));
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const common = Math.min(a.length, b.length);
  for (let i = 0; i < common; i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return a.length - b.length;
}
