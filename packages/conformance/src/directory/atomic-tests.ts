import type { Directory } from '@durability/core';
import { AlreadyExistsError, NotFoundError } from '@durability/core';
import { describe, expect, it } from 'vitest';
import {
  bytes,
  expectBytes,
  expectRejection,
  type Fixture,
  pattern,
  pollWhile,
  sameBytes,
  settle,
  text,
  writeFile,
} from './harness.js';

/** What a reader may observe of a file that is being replaced atomically: one whole version. */
function versionOf(versions: readonly Uint8Array[], seen: Uint8Array): number {
  return versions.findIndex((version) => sameBytes(version, seen));
}

/** Distinct lengths and contents, so a mix of two versions, a torn write or an empty file is told apart. */
function versions(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => pattern(4096 + 1024 * (i % 4) + i, i + 1));
}

async function readOrMissing(dir: Directory, path: string): Promise<Uint8Array | 'missing'> {
  const outcome = await settle(() => dir.readFile(path));
  if (outcome.ok) return outcome.value;
  expect(NotFoundError.is(outcome.error), `readFile(${path}) failed: ${String(outcome.error)}`).toBe(true);
  return 'missing';
}

/** `atomicWrite` and `createExclusive`: the two operations that promise all-or-nothing content. */
export function describeAtomicOperations(fixture: Fixture): void {
  describe('atomicWrite', () => {
    it('creates a missing file with exactly the bytes', () =>
      fixture.run(async (dir) => {
        await dir.atomicWrite('state.bin', bytes('v1'));
        await dir.mkdirp('ckpt');
        await dir.atomicWrite('ckpt/current', bytes('c1'));
        expect(text(await dir.readFile('state.bin'))).toBe('v1');
        expect(text(await dir.readFile('ckpt/current'))).toBe('c1');
        expect(await dir.list('ckpt')).toEqual(['current']);
      }));

    it('replaces the content, longer or shorter or empty, leaving no other entry behind', () =>
      fixture.run(async (dir) => {
        for (const content of ['a much longer first version', 'short', 'a longer third version', '']) {
          await dir.atomicWrite('state.bin', bytes(content));
          expect(text(await dir.readFile('state.bin'))).toBe(content);
        }
        expect(await dir.list('')).toEqual(['state.bin']);
      }));

    it('copies the bytes: changing the source afterwards changes nothing', () =>
      fixture.run(async (dir) => {
        const source = bytes('abc');
        await dir.atomicWrite('state.bin', source);
        source.fill(0);
        expect(text(await dir.readFile('state.bin'))).toBe('abc');
      }));

    it('concurrent readers only ever see one whole version', () =>
      fixture.run(async (dir) => {
        const all = versions(6);
        await dir.atomicWrite('state.bin', all[0]!);
        const writing = (async () => {
          for (let round = 0; round < 5; round++) {
            for (const version of all) await dir.atomicWrite('state.bin', version);
          }
        })();
        await pollWhile(writing, 4, async () => {
          const observed = await dir.readFile('state.bin');
          expect(versionOf(all, observed), `a reader saw ${observed.length} bytes of no version`).not.toBe(
            -1,
          );
        });
        expectBytes(await dir.readFile('state.bin'), all[all.length - 1]!);
      }));
  });

  describe('createExclusive', () => {
    it('creates the file with exactly the bytes', () =>
      fixture.run(async (dir) => {
        await dir.mkdirp('wal');
        await dir.createExclusive('wal/.lock', bytes('owner 1'));
        await dir.createExclusive('empty', new Uint8Array(0));
        expect(text(await dir.readFile('wal/.lock'))).toBe('owner 1');
        expect(await dir.size('empty')).toBe(0);
      }));

    it('rejects with AlreadyExistsError when the file exists, and keeps its content', () =>
      fixture.run(async (dir) => {
        await dir.createExclusive('lock', bytes('first'));
        await expectRejection(
          () => dir.createExclusive('lock', bytes('second')),
          AlreadyExistsError,
          'again',
        );
        await writeFile(dir, 'plain.log', bytes('made by createFile'));
        await expectRejection(
          () => dir.createExclusive('plain.log', bytes('x')),
          AlreadyExistsError,
          'over a file made by createFile',
        );
        expect(text(await dir.readFile('lock'))).toBe('first');
        expect(text(await dir.readFile('plain.log'))).toBe('made by createFile');
      }));

    it('lets exactly one of 16 concurrent callers win, with its complete content', () =>
      fixture.run(async (dir) => {
        const payloads = Array.from({ length: 16 }, (_, i) => pattern(8192 + i, 100 + i));
        const outcomes = await Promise.allSettled(
          payloads.map((payload) => dir.createExclusive('lock', payload)),
        );
        const winners = outcomes.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [i] : []));
        expect(winners).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') {
            expect(AlreadyExistsError.is(outcome.reason), String(outcome.reason)).toBe(true);
          }
        }
        expectBytes(await dir.readFile('lock'), payloads[winners[0]!]!);
      }));

    it('never shows a reader the file without its full content', () =>
      fixture.run(async (dir) => {
        const payload = pattern(256 * 1024, 7);
        await pollWhile(dir.createExclusive('lock', payload), 4, async () => {
          const observed = await readOrMissing(dir, 'lock');
          if (observed === 'missing') return;
          expect(observed.length, 'a reader saw a partial file').toBe(payload.length);
          expectBytes(observed, payload);
        });
        expectBytes(await dir.readFile('lock'), payload);
      }));

    it('copies the bytes: changing the source afterwards changes nothing', () =>
      fixture.run(async (dir) => {
        const source = bytes('abc');
        await dir.createExclusive('lock', source);
        source.fill(0);
        expect(text(await dir.readFile('lock'))).toBe('abc');
      }));
  });
}
