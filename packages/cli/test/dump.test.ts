import { FsDirectory } from '@durability/backend-fs';
import { WalWriter } from '@durability/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendBytes, entryFor, segmentFile, tempRoot, writeWal } from './support/make-wal.js';
import { durability, json } from './support/run-cli.js';

let root: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ root, cleanup } = await tempRoot());
});
afterEach(() => cleanup());

function lines(stdout: string): { entryId: number; entry: unknown }[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as { entryId: number; entry: unknown });
}

describe('durability dump', () => {
  it('prints entries as JSON lines, --from/--to inclusive; --json is one document with the summary', async () => {
    await writeWal(root, 30);
    const all = await durability(['dump', root]);
    expect(all.code).toBe(0);
    expect(lines(all.stdout)).toEqual(
      Array.from({ length: 30 }, (_, i) => ({ entryId: i + 1, entry: entryFor(i + 1) })),
    );
    expect(all.stderr).toBe('dumped 30 entries (1..30)\n');

    const some = await durability(['dump', root, '--from', '7', '--to', '12']);
    expect(some.code).toBe(0);
    expect(lines(some.stdout).map((l) => l.entryId)).toEqual([7, 8, 9, 10, 11, 12]);

    const doc = json<{
      entries: { entryId: number }[];
      command: string;
      entriesWritten: number;
      stoppedAtTo: boolean;
    }>(await durability(['dump', root, '--from', '29', '--json']));
    expect(doc.command).toBe('dump');
    expect(doc.entries).toEqual([
      { entryId: 29, entry: entryFor(29) },
      { entryId: 30, entry: entryFor(30) },
    ]);
    expect(doc.entriesWritten).toBe(2);
    expect(doc.stoppedAtTo).toBe(false);

    const empty = json<{ entries: unknown[] }>(await durability(['dump', root, '--from', '31', '--json']));
    expect(empty.entries).toEqual([]);
  });

  it('maps CBOR values JSON cannot hold: bigint, bytes, Map, Set, Date, NaN', async () => {
    const writer = await WalWriter.create(new FsDirectory(root));
    await writer.append({
      small: 5n,
      big: 2n ** 60n,
      bytes: new Uint8Array([0, 1, 254, 255]),
      map: new Map<unknown, unknown>([
        [1, 'one'],
        ['k', [true, null]],
      ]),
      set: new Set(['a', 'b']),
      when: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
      nan: Number.NaN,
    });
    await writer.close();
    const [line] = lines((await durability(['dump', root])).stdout);
    expect(line).toEqual({
      entryId: 1,
      entry: {
        small: 5,
        big: '1152921504606846976',
        bytes: { $bytes: 'AAH+/w==' },
        map: {
          $map: [
            [1, 'one'],
            ['k', [true, null]],
          ],
        },
        set: { $set: ['a', 'b'] },
        when: { $date: '2024-01-02T03:04:05.000Z' },
        nan: { $number: 'NaN' },
      },
    });
    const raw = lines((await durability(['dump', root, '--no-decode'])).stdout);
    expect(raw[0]!.entry).toEqual({ $bytes: expect.stringMatching(/^[A-Za-z0-9+/]+=*$/) });
  });

  it('a torn tail: every valid entry is printed, then exit 1 (strict) or 0 (best-effort)', async () => {
    await writeWal(root, 30);
    await appendBytes(segmentFile(root, 10), new Uint8Array(9).fill(7));
    const strict = await durability(['dump', root]);
    expect(strict.code).toBe(1);
    expect(lines(strict.stdout)).toHaveLength(30);
    expect(strict.stderr).toContain('TORN TAIL: segment 10 ends in a torn-tail');
    expect((await durability(['dump', root, '--mode', 'best-effort'])).code).toBe(0);
    // Stopping at --to before the tail never reads it.
    expect((await durability(['dump', root, '--to', '3'])).code).toBe(0);
  });

  it('--from after --to is a usage error', async () => {
    await writeWal(root, 3);
    const run = await durability(['dump', root, '--from', '5', '--to', '2']);
    expect(run.code).toBe(64);
    expect(run.stderr).toBe('durability: INVALID_CONFIG: --from 5 is after --to 2\n');
  });
});
