import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { FsDirectory } from '@durability/backend-fs';
import { WalWriter } from '@durability/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appendBytes,
  entryFor,
  fileSize,
  segmentFile,
  snapshot,
  tempRoot,
  writeWal,
  writeWalWithCheckpoint,
} from './support/make-wal.js';
import { durability, json } from './support/run-cli.js';

let root: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ root, cleanup } = await tempRoot());
});
afterEach(() => cleanup());

interface InspectJson {
  status: string;
  segments: {
    segmentId: number;
    firstEntryId: number | null;
    lastEntryId: number | null;
    entries: number;
    bytes: number;
  }[];
  totalBytes: number;
  tail: { reason: string; segmentId: number; validBytes: number; bytesDropped: number };
  entries: { count: number; firstEntryId: number; lastEntryId: number; nextEntryId: number };
  checkpoints: {
    path: string;
    status: string;
    lastAppliedId: number;
    nameLastAppliedId: number;
    bytes: number;
  }[];
  markers: { count: number; latest: { entryId: number; checkpointPath: string; lastEntryId: number } | null };
  lock: {
    status: string;
    pid: number;
    hostname: string;
    alive: boolean | null;
    sameHost: boolean;
    createdAt: string;
  } | null;
}

describe('durability inspect', () => {
  it('segments with contiguous entry ranges and sizes, the checkpoint, its marker; reads only', async () => {
    const path = await writeWalWithCheckpoint(root, 20, 10);
    const before = await snapshot(root);
    const result = json<InspectJson>(await durability(['inspect', root, '--json']));
    expect(await snapshot(root)).toEqual(before);

    const files = (await readdir(join(root, 'wal'))).filter((name) => name.endsWith('.log'));
    expect(result.segments).toHaveLength(files.length);
    let expectedFirst = result.segments[0]!.firstEntryId!;
    expect(expectedFirst).toBe(21); // the publisher truncated the segments the checkpoint covers
    let total = 0;
    for (const segment of result.segments) {
      expect(segment.firstEntryId).toBe(expectedFirst);
      expect(segment.entries).toBe(segment.lastEntryId! - segment.firstEntryId! + 1);
      expect(segment.bytes).toBe(await fileSize(segmentFile(root, segment.segmentId)));
      total += segment.bytes;
      expectedFirst = segment.lastEntryId! + 1;
    }
    expect(result.totalBytes).toBe(total);
    expect(result.entries).toEqual({ count: 11, firstEntryId: 21, lastEntryId: 31, nextEntryId: 32 });
    expect(result.tail).toMatchObject({ reason: 'clean-end', bytesDropped: 0 });
    expect(result.checkpoints).toEqual([
      expect.objectContaining({ path, status: 'ok', lastAppliedId: 20, nameLastAppliedId: 20 }),
    ]);
    expect(result.markers).toEqual({
      count: 1,
      latest: { entryId: 21, checkpointPath: path, lastEntryId: 20 },
    });
    expect(result.lock).toBeNull();

    const human = await durability(['inspect', root]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('markers: 1; latest at entry 21');
    expect(human.stdout).toContain('lock: none');
  });

  it('names the live writer holding the lock; repair of a torn tail under it is refused (75)', async () => {
    const writer = await WalWriter.create(new FsDirectory(root), { segmentSizeBytes: 256 });
    try {
      for (let i = 1; i <= 10; i++) await writer.append(entryFor(i));
      await writer.flush();
      const result = json<InspectJson>(await durability(['inspect', root, '--json']));
      expect(result.lock).toMatchObject({
        status: 'live',
        pid: process.pid,
        hostname: hostname(),
        sameHost: true,
        alive: true,
      });
      expect(Date.parse(result.lock!.createdAt)).not.toBeNaN();
      expect((await durability(['inspect', root])).stdout).toContain(
        `lock: pid ${process.pid} on host ${hostname()}`,
      );

      await appendBytes(segmentFile(root, result.segments.at(-1)!.segmentId), new Uint8Array([9, 9, 9]));
      const before = await snapshot(root);
      const repair = await durability(['repair', root]);
      expect(repair.code).toBe(75);
      expect(repair.stderr).toMatch(
        new RegExp(`^durability: LOCKED: the WAL is locked by pid ${process.pid} on host .*\\n$`),
      );
      expect(await snapshot(root)).toEqual(before);
    } finally {
      await writer.close();
    }
  });

  it('a lock left by a dead process is stale; repair takes it over and says so', async () => {
    await writeWal(root, 9);
    const child = spawn(process.execPath, ['-e', '']);
    await once(child, 'exit');
    const deadPid = child.pid!;
    const owner = {
      pid: deadPid,
      hostname: hostname(),
      token: 'dead-writer',
      createdAt: new Date().toISOString(),
    };
    await writeFile(join(root, 'wal', '.lock'), `${JSON.stringify(owner)}\n`);
    await appendBytes(segmentFile(root, 3), new Uint8Array([1, 2, 3]));

    const inspected = json<InspectJson>(await durability(['inspect', root, '--json']));
    expect(inspected.lock).toMatchObject({ status: 'stale', pid: deadPid, alive: false });
    expect(inspected.tail).toMatchObject({ reason: 'torn-tail', segmentId: 3, bytesDropped: 3 });

    const repaired = json<{ applied: boolean; lockTakeover: { reason: string; message: string } }>(
      await durability(['repair', root, '--json']),
    );
    expect(repaired.applied).toBe(true);
    expect(repaired.lockTakeover).toMatchObject({ reason: 'owner-process-gone' });
    expect(repaired.lockTakeover.message).toContain(`pid ${deadPid}`);
    expect((await readdir(join(root, 'wal'))).includes('.lock')).toBe(false);
  });
});
