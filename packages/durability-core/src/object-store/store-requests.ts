import {
  DurabilityError,
  IoError,
  NotFoundError,
  PreconditionFailedError,
  UnknownOutcomeError,
} from '../errors.js';
import type { ListedObject, ListObjectsOptions, ObjectStore } from './object-store.js';

/**
 * The request patterns `ObjectStoreDirectory` builds on. Nothing here retries a failure whose outcome
 * is known (a throttled request is the store client's to retry): only `UnknownOutcomeError`s are
 * resolved, by re-reading (conditional PUTs) or by repeating an idempotent request (DELETE, marker PUT).
 */

/** User-metadata keys every slot object carries. */
export const WRITER_METADATA = 'durability-writer';
export const KIND_METADATA = 'durability-kind';

/** What a slot object is: a generation's head, a data part, a fence (empty claim) or a copy made by truncate/rename. */
export type SlotKind = 'head' | 'data' | 'fence';

/** Attempts of one request whose outcome stays unknown before giving up with `IoError`. */
export const MAX_UNKNOWN_OUTCOME_ATTEMPTS = 6;
/** S3's page size. */
export const LIST_PAGE_KEYS = 1000;

/** Runs one store request, turning anything that is not a `DurabilityError` into an `IoError`. */
export async function request<T>(what: string, path: string | undefined, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (DurabilityError.is(error)) throw error;
    throw new IoError(`object store ${what} failed: ${String((error as Error)?.message ?? error)}`, {
      path,
      cause: error,
    });
  }
}

/** Every object and common prefix under `options.prefix`, following continuation tokens. */
export async function listAll(
  store: ObjectStore,
  options: Omit<ListObjectsOptions, 'continuationToken' | 'maxKeys'>,
  path?: string,
): Promise<{ objects: ListedObject[]; commonPrefixes: string[] }> {
  const objects: ListedObject[] = [];
  const commonPrefixes: string[] = [];
  let token: string | undefined;
  do {
    const previous = token;
    const page = await request('LIST', path, () =>
      store.listObjects({ ...options, maxKeys: LIST_PAGE_KEYS, continuationToken: token }),
    );
    objects.push(...page.objects);
    commonPrefixes.push(...page.commonPrefixes);
    token = page.nextContinuationToken;
    if (token !== undefined && token === previous) {
      throw new IoError('object store LIST returned the same continuation token twice', { path });
    }
  } while (token !== undefined);
  return { objects, commonPrefixes };
}

/** True when any key starts with `prefix` (one request of at most one key). */
export async function anyKeyUnder(store: ObjectStore, prefix: string, path?: string): Promise<boolean> {
  const page = await request('LIST', path, () => store.listObjects({ prefix, maxKeys: 1 }));
  return page.objects.length > 0 || page.commonPrefixes.length > 0;
}

/** The writer token stored on `key`, `null` for an object without one, `undefined` when it is missing. */
export async function ownerOf(
  store: ObjectStore,
  key: string,
  path?: string,
): Promise<string | null | undefined> {
  try {
    const info = await request('HEAD', path, () => store.headObject(key));
    return info.metadata[WRITER_METADATA] ?? null;
  } catch (error) {
    if (NotFoundError.is(error)) return undefined;
    throw error;
  }
}

/**
 * Creates `key` only if it does not exist (`If-None-Match: *`), tagged with `token`. Resolves `'ours'`
 * when the object is ours (this call or an earlier attempt of it created it), `'taken'` when another
 * writer's object is there. An unknown outcome is resolved by HEAD: ours → applied; missing → the PUT is
 * repeated (it is conditional, so a late copy of an earlier attempt cannot land twice); someone else's →
 * taken. A precondition failure is checked the same way, since it may be an earlier attempt of ours.
 */
export async function claimKey(
  store: ObjectStore,
  key: string,
  body: Uint8Array,
  token: string,
  kind: SlotKind,
  path: string,
): Promise<'ours' | 'taken'> {
  for (let attempt = 0; attempt < MAX_UNKNOWN_OUTCOME_ATTEMPTS; attempt++) {
    try {
      await request('PUT', path, () =>
        store.putObject(key, body, {
          ifNoneMatch: '*',
          metadata: { [WRITER_METADATA]: token, [KIND_METADATA]: kind },
        }),
      );
      return 'ours';
    } catch (error) {
      if (!PreconditionFailedError.is(error) && !UnknownOutcomeError.is(error)) throw error;
      const owner = await ownerOf(store, key, path);
      if (owner === token) return 'ours';
      if (owner !== undefined) return 'taken';
      // Missing: the PUT was not applied (or lost a race to a writer whose object is gone again). Repeat.
    }
  }
  throw new IoError(`could not create ${kind} object: its outcome stayed unknown`, {
    path,
    actual: key,
    expected: `an answer within ${MAX_UNKNOWN_OUTCOME_ATTEMPTS} attempts`,
  });
}

/** An unconditional PUT (directory markers), repeated while its outcome is unknown: it is idempotent. */
export async function putIdempotent(
  store: ObjectStore,
  key: string,
  body: Uint8Array,
  path: string,
): Promise<void> {
  await repeatWhileUnknown('PUT', path, key, () => store.putObject(key, body));
}

/** DELETE, repeated while its outcome is unknown: deleting twice is deleting once. */
export async function deleteIdempotent(store: ObjectStore, key: string, path: string): Promise<void> {
  await repeatWhileUnknown('DELETE', path, key, () => store.deleteObject(key));
}

async function repeatWhileUnknown(
  what: string,
  path: string,
  key: string,
  run: () => Promise<unknown>,
): Promise<void> {
  for (let attempt = 0; attempt < MAX_UNKNOWN_OUTCOME_ATTEMPTS; attempt++) {
    try {
      await request(what, path, run);
      return;
    } catch (error) {
      if (!UnknownOutcomeError.is(error)) throw error;
    }
  }
  throw new IoError(`object store ${what} kept ending with an unknown outcome`, { path, actual: key });
}

/** Runs `work` over `items` with at most `limit` in flight; rejects with the first failure. */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}
