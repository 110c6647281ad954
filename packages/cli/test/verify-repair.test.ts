import { truncate } from 'node:fs/promises';
import { FsDirectory } from '@durability/backend-fs';
import { FRAME_HEADER_BYTES, SEGMENT_HEADER_BYTES, WalReader } from '@durability/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  appendBytes,
  fileSize,
  flipByte,
  segmentFile,
  snapshot,
  tempRoot,
  writeWal,
  writeWalWithCheckpoint,
} from './support/make-wal.js';
import { durability, json } from './support/run-cli.js';

/** The real `durability` executable against WALs written by the real writer, then damaged on disk. */

const ENTRIES = 30;
/** With 256-byte segments and these entries: 3 entries per segment, 10 segments. */
const LAST_SEGMENT = 10;

let root: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ root, cleanup } = await tempRoot());
  await writeWal(root, ENTRIES);
});
afterEach(() => cleanup());

interface VerifyJson {
  status: string;
  exitCode: number;
  report: {
    reason: string;
    segmentId: number;
    offset: number;
    bytesDropped: number;
    entriesReplayed: number;
  } | null;
  entries: { count: number; firstEntryId: number; lastEntryId: number };
  damage: { code: string; segmentId: number; offset: number; path: string; message: string } | null;
  totalBytes: number;
  checkpoints: {
    path: string;
    status: string;
    latest: boolean;
    markerEntryId: number;
    lastAppliedId: number;
    nameLastAppliedId?: number;
  }[];
  problems: { code: string; message: string }[];
}

describe('a clean WAL', () => {
  it('verify exits 0 with a clean report, and changes nothing on disk (no lock, no files)', async () => {
    const before = await snapshot(root);
    const human = await durability(['verify', root]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`OK: ${ENTRIES} entries (1..${ENTRIES}) in ${LAST_SEGMENT} segment(s)`);
    expect(human.stderr).toBe('');

    const result = json<VerifyJson>(await durability(['verify', root, '--json']));
    expect(result.status).toBe('clean');
    expect(result.exitCode).toBe(0);
    expect(result.report).toMatchObject({ reason: 'clean-end', segmentId: LAST_SEGMENT, bytesDropped: 0 });
    expect(result.entries).toEqual({ count: ENTRIES, firstEntryId: 1, lastEntryId: ENTRIES });
    expect(result.damage).toBeNull();
    expect(await snapshot(root)).toEqual(before);
  });

  it('verify checks the checkpoint a marker names, and fails (2) when it is damaged', async () => {
    const { root: ckRoot, cleanup: done } = await tempRoot();
    try {
      const path = await writeWalWithCheckpoint(ckRoot, 20, 10);
      const ok = json<VerifyJson>(await durability(['verify', ckRoot, '--json']));
      expect(ok.exitCode).toBe(0);
      // The fields of inspect's listing (nameLastAppliedId included), plus the marker's.
      const inspected = json<{ checkpoints: Record<string, unknown>[] }>(
        await durability(['inspect', ckRoot, '--json']),
      );
      expect(ok.checkpoints).toEqual([{ ...inspected.checkpoints[0], markerEntryId: 21, latest: true }]);
      expect(ok.checkpoints[0]).toMatchObject({
        path,
        status: 'ok',
        lastAppliedId: 20,
        nameLastAppliedId: 20,
      });

      await flipByte(`${ckRoot}/${path}`, 40); // a payload byte: the payload CRC no longer matches
      const bad = await durability(['verify', ckRoot, '--json']);
      expect(bad.code).toBe(2);
      const result = json<VerifyJson>(bad);
      expect(result.status).toBe('corrupt');
      expect(result.checkpoints[0]).toMatchObject({ path, status: 'corrupt' });
      expect(result.problems[0]!.message).toContain('marker at entry 21');
    } finally {
      await done();
    }
  });
});

describe('a torn tail in the final segment', () => {
  it('verify: exit 1 strict with the report, 0 best-effort; repair --dry-run changes nothing; repair fixes it', async () => {
    const last = segmentFile(root, LAST_SEGMENT);
    const cleanSize = await fileSize(last);
    await appendBytes(last, new Uint8Array([1, 2, 3, 4, 5, 6, 7])); // 7 bytes: an incomplete frame header

    const strict = await durability(['verify', root]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain(
      `TORN TAIL: segment ${LAST_SEGMENT} (wal/wal_${String(LAST_SEGMENT).padStart(20, '0')}.log) ends in a torn-tail at offset ${cleanSize}: 7 bytes dropped`,
    );
    const report = json<VerifyJson>(await durability(['verify', root, '--json']));
    expect(report).toMatchObject({ status: 'torn-tail', exitCode: 1 });
    expect(report.report).toMatchObject({
      reason: 'torn-tail',
      segmentId: LAST_SEGMENT,
      offset: cleanSize,
      bytesDropped: 7,
      entriesReplayed: ENTRIES,
    });
    expect((await durability(['verify', root, '--mode', 'best-effort'])).code).toBe(0);

    const before = await snapshot(root);
    const dry = await durability(['repair', root, '--dry-run', '--json']);
    expect(dry.code).toBe(1);
    expect(json(dry)).toMatchObject({
      dryRun: true,
      applied: false,
      action: 'truncate',
      segmentId: LAST_SEGMENT,
      truncateTo: cleanSize,
      bytesDropped: 7,
      entriesKept: ENTRIES,
      nextEntryId: ENTRIES + 1,
    });
    expect(await snapshot(root)).toEqual(before);

    const repair = await durability(['repair', root]);
    expect(repair.code).toBe(0);
    expect(repair.stdout).toContain(`truncate to ${cleanSize} bytes`);
    expect(await fileSize(last)).toBe(cleanSize);
    expect((await durability(['verify', root])).code).toBe(0);
    // The lock was released; every entry is still there.
    const records = await new WalReader(new FsDirectory(root)).replay();
    expect(records.map((r) => r.entryId)).toEqual(Array.from({ length: ENTRIES }, (_, i) => i + 1));
  });

  it('a frame cut in the middle: repair keeps the entries before it', async () => {
    const last = segmentFile(root, LAST_SEGMENT);
    await truncate(last, (await fileSize(last)) - 5); // the last frame loses 5 payload bytes
    const result = json<VerifyJson>(await durability(['verify', root, '--json']));
    expect(result.exitCode).toBe(1);
    expect(result.report).toMatchObject({ reason: 'torn-tail', entriesReplayed: ENTRIES - 1 });
    const cutAt = result.report!.offset;

    expect(json(await durability(['repair', root, '--json']))).toMatchObject({
      applied: true,
      truncateTo: cutAt,
      entriesKept: ENTRIES - 1,
      lastEntryId: ENTRIES - 1,
    });
    expect(await fileSize(last)).toBe(cutAt);
    expect((await durability(['verify', root])).code).toBe(0);
  });
});

describe('corruption in a non-final segment', () => {
  it('verify exits 2 naming the segment and offset; repair refuses and changes nothing', async () => {
    // Segment 2's first frame starts right after the segment header; flip a byte of its payload.
    await flipByte(segmentFile(root, 2), SEGMENT_HEADER_BYTES + FRAME_HEADER_BYTES + 2);

    const human = await durability(['verify', root]);
    expect(human.code).toBe(2);
    expect(human.stdout).toContain('CORRUPT: CORRUPTION: frame checksum mismatch');
    expect(human.stdout).toContain(`segment 2, offset ${SEGMENT_HEADER_BYTES}`);

    const result = json<VerifyJson>(await durability(['verify', root, '--json', '--mode', 'best-effort']));
    expect(result.exitCode).toBe(2);
    expect(result.damage).toMatchObject({
      code: 'CORRUPTION',
      segmentId: 2,
      offset: SEGMENT_HEADER_BYTES,
      path: 'wal/wal_00000000000000000002.log',
    });
    expect(result.entries.count).toBe(3); // segment 1's entries were verified before it

    const before = await snapshot(root);
    const repair = await durability(['repair', root]);
    expect(repair.code).toBe(2);
    expect(repair.stdout).toContain('nothing changed');
    expect(await snapshot(root)).toEqual(before);
  });

  it('a damaged (not zero-filled) final segment header is corruption, not a torn tail', async () => {
    await flipByte(segmentFile(root, LAST_SEGMENT), 9); // inside segment_id, covered by the header CRC
    const result = await durability(['verify', root, '--json']);
    expect(result.code).toBe(2);
    expect(json<VerifyJson>(result).damage).toMatchObject({ segmentId: LAST_SEGMENT, offset: 0 });
  });
});
