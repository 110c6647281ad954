import type { Directory } from '@durability/core';
import { expect } from 'vitest';

/** How the suite gets a fresh, empty backend for each test, and how it disposes of one. */
export interface DirectoryContractOptions {
  /** A new, empty directory. Called once per test (and once per property run), plus once to read capabilities. */
  create: () => Directory | Promise<Directory>;
  /** Releases what `create` allocated (a temporary directory, a bucket). Called after every test. */
  destroy?: (dir: Directory) => Promise<void>;
}

/** Gives each test its own directory and always disposes of it, so tests can run in any order. */
export class Fixture {
  constructor(private readonly options: DirectoryContractOptions) {}

  async run<T>(body: (dir: Directory) => Promise<T>): Promise<T> {
    const dir = await this.options.create();
    try {
      return await body(dir);
    } finally {
      await this.options.destroy?.(dir);
    }
  }
}

/** An error class of `@durability/core`, recognised by its static `is` (safe across duplicate installs). */
export interface ErrorType {
  readonly name: string;
  is(value: unknown): boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

export function text(data: Uint8Array): string {
  return decoder.decode(data);
}

/** `length` deterministic bytes that differ for different seeds (so versions and offsets are told apart). */
export function pattern(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 97 + (i >>> 8)) & 0xff;
  return out;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Expects `actual` to hold exactly the bytes of `expected`. Byte arrays are compared in a plain loop (a
 * deep-equality matcher is slow on megabytes) and a failure names the first differing offset.
 */
export function expectBytes(actual: Uint8Array, expected: Uint8Array, what = 'bytes'): void {
  expect(actual, what).toBeInstanceOf(Uint8Array);
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] !== expected[i]) {
      expect.fail(`${what}: first difference at byte ${i}: ${actual[i]} instead of ${expected[i]}`);
    }
  }
}

/** True when `a` and `b` hold the same bytes. */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Creates (or truncates) `path` with exactly `data`. */
export async function writeFile(dir: Directory, path: string, data: Uint8Array): Promise<void> {
  const writer = await dir.createFile(path);
  await writer.write(data);
  await writer.close();
}

/**
 * Expects `action` to return a promise that rejects with an error of `type`, and returns that error.
 * Operations are asynchronous, so a synchronous throw is a failure of its own: a caller that chains
 * `.catch()` would miss it.
 */
export async function expectRejection(
  action: () => Promise<unknown>,
  type: ErrorType,
  what: string,
): Promise<unknown> {
  let pending: Promise<unknown>;
  try {
    pending = action();
  } catch (error) {
    return expect.fail(`${what}: threw synchronously (${show(error)}); it must return a rejected promise`);
  }
  const outcome = await pending.then(
    (value) => ({ settled: 'fulfilled' as const, value }),
    (error: unknown) => ({ settled: 'rejected' as const, error }),
  );
  if (outcome.settled === 'fulfilled') {
    return expect.fail(`${what}: resolved (${show(outcome.value)}), expected a ${type.name}`);
  }
  expect(type.is(outcome.error), `${what}: expected a ${type.name}, got ${show(outcome.error)}`).toBe(true);
  return outcome.error;
}

/** Like `expectRejection`, for a rejection that is a built-in programmer error (`RangeError`, `TypeError`). */
export async function expectBuiltinRejection(
  action: () => Promise<unknown>,
  type: typeof RangeError | typeof TypeError,
  what: string,
): Promise<void> {
  await expectRejection(action, { name: type.name, is: (value) => value instanceof type }, what);
}

/** Expects the synchronous `action` to throw an error of `type`. */
export function expectThrow(action: () => unknown, type: ErrorType, what: string): void {
  let result: unknown;
  try {
    result = action();
  } catch (error) {
    expect(type.is(error), `${what}: expected a ${type.name}, got ${show(error)}`).toBe(true);
    return;
  }
  expect.fail(`${what}: returned ${show(result)}, expected to throw a ${type.name}`);
}

/**
 * Lets timers and I/O callbacks run. A loop that only awaits microtasks (as everything on an in-memory
 * backend does) would otherwise starve them: a poller its writer, a property run vitest's timeout.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );
}

/**
 * Runs `readers` concurrent pollers while `writing` is in flight: each calls `observe` at least once, then
 * again after every turn of the event loop until `writing` settles. Resolves with the number of
 * observations once the writer and every poller are done (rejects with the first failure).
 */
export async function pollWhile(
  writing: Promise<unknown>,
  readers: number,
  observe: () => Promise<void>,
): Promise<number> {
  let done = false;
  let observations = 0;
  const finished = writing.finally(() => {
    done = true;
  });
  const poll = async (): Promise<void> => {
    do {
      await observe();
      observations++;
      await nextTurn();
    } while (!done);
  };
  await Promise.all([finished, ...Array.from({ length: readers }, poll)]);
  return observations;
}

/** Resolves `action`'s outcome without throwing: what a concurrent caller observed. */
export async function settle<T>(
  action: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await action() };
  } catch (error) {
    return { ok: false, error };
  }
}

function show(value: unknown): string {
  if (value instanceof Error)
    return `${value.name}${'code' in value ? ` [${String(value.code)}]` : ''}: ${value.message}`;
  if (value instanceof Uint8Array) return `Uint8Array(${value.length})`;
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
