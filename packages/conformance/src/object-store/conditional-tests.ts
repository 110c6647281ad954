import { NotFoundError, PreconditionFailedError, UnknownOutcomeError } from '@durability/core';
import { describe, expect, it } from 'vitest';
import { bytes, expectRejection, settle, text } from '../directory/harness.js';
import type { StoreFixture } from './harness.js';

/** How many concurrent conditional writers race in the concurrency tests. */
const RACERS = 16;

/** `ifNoneMatch: '*'` (create only) and `ifMatch` (compare and swap), alone and racing. */
export function describeConditionalWrites(fixture: StoreFixture): void {
  describe("ifNoneMatch: '*'", () => {
    it('creates a missing key', () =>
      fixture.run(async (store) => {
        const put = await store.putObject('lock', bytes('mine'), { ifNoneMatch: '*' });
        expect((await store.headObject('lock')).etag).toBe(put.etag);
      }));

    it('fails with PreconditionFailedError on an existing key and writes nothing', () =>
      fixture.run(async (store) => {
        const first = await store.putObject('lock', bytes('first'));
        const error = await expectRejection(
          () => store.putObject('lock', bytes('second'), { ifNoneMatch: '*' }),
          PreconditionFailedError,
          'create over an existing key',
        );
        expect((error as PreconditionFailedError).path).toBe('lock');
        const got = await store.getObject('lock');
        expect(text(got.body)).toBe('first');
        expect(got.etag).toBe(first.etag);
      }));

    it('creates again after the key was deleted', () =>
      fixture.run(async (store) => {
        await store.putObject('lock', bytes('a'), { ifNoneMatch: '*' });
        await store.deleteObject('lock');
        await store.putObject('lock', bytes('b'), { ifNoneMatch: '*' });
        expect(text((await store.getObject('lock')).body)).toBe('b');
      }));

    it(`lets exactly one of ${RACERS} concurrent creators win`, () =>
      fixture.run(async (store) => {
        const bodies = Array.from({ length: RACERS }, (_, i) => `creator-${i}`);
        const outcomes = await Promise.all(
          bodies.map((body) => settle(() => store.putObject('lock', bytes(body), { ifNoneMatch: '*' }))),
        );
        expectOneWinner(outcomes, bodies, text((await store.getObject('lock')).body), 'create race');
      }));
  });

  describe('ifMatch', () => {
    it('replaces the object when the ETag matches', () =>
      fixture.run(async (store) => {
        const first = await store.putObject('manifest', bytes('v1'));
        const second = await store.putObject('manifest', bytes('v2'), { ifMatch: first.etag });
        expect(second.etag).not.toBe(first.etag);
        const got = await store.getObject('manifest');
        expect(text(got.body)).toBe('v2');
        expect(got.etag).toBe(second.etag);
        const third = await store.putObject('manifest', bytes('v3'), { ifMatch: got.etag });
        expect((await store.headObject('manifest')).etag).toBe(third.etag);
      }));

    it('fails with PreconditionFailedError on a stale ETag and writes nothing', () =>
      fixture.run(async (store) => {
        const first = await store.putObject('manifest', bytes('v1'));
        const second = await store.putObject('manifest', bytes('v2'));
        const error = await expectRejection(
          () => store.putObject('manifest', bytes('v3'), { ifMatch: first.etag }),
          PreconditionFailedError,
          'CAS with a stale ETag',
        );
        expect((error as PreconditionFailedError).path).toBe('manifest');
        const got = await store.getObject('manifest');
        expect(text(got.body)).toBe('v2');
        expect(got.etag).toBe(second.etag);
      }));

    it('fails with PreconditionFailedError on a missing key and creates nothing', () =>
      fixture.run(async (store) => {
        const other = await store.putObject('other', bytes('x'));
        await expectRejection(
          () => store.putObject('manifest', bytes('v1'), { ifMatch: other.etag }),
          PreconditionFailedError,
          'CAS on a missing key',
        );
        await expectRejection(() => store.headObject('manifest'), NotFoundError, 'HEAD after the failed CAS');
      }));

    it('fails with PreconditionFailedError after the key was deleted', () =>
      fixture.run(async (store) => {
        const first = await store.putObject('manifest', bytes('v1'));
        await store.deleteObject('manifest');
        await expectRejection(
          () => store.putObject('manifest', bytes('v2'), { ifMatch: first.etag }),
          PreconditionFailedError,
          'CAS on a deleted key',
        );
        await expectRejection(() => store.headObject('manifest'), NotFoundError, 'HEAD after the failed CAS');
      }));

    it(`lets at most one of ${RACERS} concurrent swaps from one ETag win`, () =>
      fixture.run(async (store) => {
        const base = await store.putObject('manifest', bytes('base'));
        const bodies = Array.from({ length: RACERS }, (_, i) => `swap-${i}`);
        const outcomes = await Promise.all(
          bodies.map((body) =>
            settle(() => store.putObject('manifest', bytes(body), { ifMatch: base.etag })),
          ),
        );
        const stored = text((await store.getObject('manifest')).body);
        if (stored === 'base') {
          // Every swap failed (allowed: S3 may refuse all racers with 409). None may claim success.
          for (const [i, outcome] of outcomes.entries()) {
            expect(outcome.ok, `racer ${i} succeeded but its write is not there`).toBe(false);
            expectLoserError(outcome, i);
          }
          return;
        }
        expectOneWinner(outcomes, bodies, stored, 'swap race');
      }));
  });
}

type Outcome = Awaited<ReturnType<typeof settle<unknown>>>;

/**
 * Checks a race whose stored result is `stored`: it must be exactly one racer's body; that racer did not
 * fail with `PreconditionFailedError` (it may have succeeded or got `UnknownOutcomeError`, which a caller
 * resolves by reading back); every other racer failed with `PreconditionFailedError` or
 * `UnknownOutcomeError`.
 */
function expectOneWinner(
  outcomes: readonly Outcome[],
  bodies: readonly string[],
  stored: string,
  what: string,
): void {
  const winner = bodies.indexOf(stored);
  expect(
    winner,
    `${what}: the stored object (${JSON.stringify(stored)}) is no racer's write`,
  ).toBeGreaterThanOrEqual(0);
  for (const [i, outcome] of outcomes.entries()) {
    if (i === winner) {
      if (!outcome.ok) {
        expect(
          UnknownOutcomeError.is(outcome.error),
          `${what}: racer ${i}'s write is stored, yet it was told ${String(outcome.error)}`,
        ).toBe(true);
      }
      continue;
    }
    expect(outcome.ok, `${what}: racer ${i} succeeded too, but racer ${winner}'s write is stored`).toBe(
      false,
    );
    expectLoserError(outcome, i);
  }
}

function expectLoserError(outcome: Outcome, racer: number): void {
  if (outcome.ok) return;
  expect(
    PreconditionFailedError.is(outcome.error) || UnknownOutcomeError.is(outcome.error),
    `racer ${racer}: expected PreconditionFailedError or UnknownOutcomeError, got ${String(outcome.error)}`,
  ).toBe(true);
}
