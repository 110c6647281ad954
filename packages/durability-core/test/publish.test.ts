import { afterAll, describe, expect, it } from 'vitest';
import {
  CheckpointPublisher,
  checkpointPathFor,
  type Directory,
  EncodeError,
  InvalidConfigError,
  InvalidPathError,
  NotSupportedError,
  RecoveryManager,
  type WalEntry,
  WalMaintenance,
  WalReader,
  WalWriter,
  walEntrySchema,
} from '../src/index.js';
import { backends, removeTempRoots } from './support/backends.js';
import { segmentPaths, traced } from './wal-harness.js';

afterAll(removeTempRoots);

/** `count` AddSegment entries in 2-entry segments, synced. */
async function walWith(dir: Directory, count: number, segmentSizeBytes = 150) {
  const wal = await WalWriter.create<WalEntry>(dir, { schema: walEntrySchema, segmentSizeBytes });
  for (let i = 1; i <= count; i++) await wal.append({ type: 'AddSegment', segmentId: i, docCount: i });
  await wal.flushAndSync();
  return wal;
}

const markers = async (dir: Directory) =>
  (await new WalReader<WalEntry>(dir, { schema: walEntrySchema }).replay())
    .filter((r) => r.payload.type === 'Checkpoint')
    .map((r) => ({ entryId: r.entryId, ...r.payload }));

describe.each(backends)('CheckpointPublisher on $name', (backend) => {
  it('publishes in order: WAL sync, checkpoint, marker, marker sync, then deletes, then the directory sync', async () => {
    const t = traced(await backend.create());
    const wal = await walWith(t.dir, 8);
    await wal.append({ type: 'DeleteDocuments', deletes: [[8, 0]] }); // not yet durable: step 0 syncs it
    const state = await new RecoveryManager(t.dir).recoverBestEffort();
    t.calls.length = 0;
    const result = await new CheckpointPublisher(t.dir).publish(wal, state, 8, 'checkpoints/c8.vckp');
    const ops = t.calls.map((c) => `${c.op} ${c.path}`);
    const at = (pattern: RegExp, from = 0) => {
      const index = ops.findIndex((op, i) => i >= from && pattern.test(op));
      expect(index, `${pattern} in\n${ops.join('\n')}`).toBeGreaterThanOrEqual(0);
      return index;
    };
    const walSync = at(/^writer\.sync wal\//);
    const checkpoint = at(
      backend.durable ? /^dir\.atomicWriteDurable checkpoints\/c8/ : /^dir\.atomicWrite checkpoints\/c8/,
    );
    const markerWrite = at(/^writer\.write wal\//, checkpoint);
    const markerSync = at(/^writer\.sync wal\//, markerWrite);
    const firstDelete = at(/^dir\.delete wal\//);
    expect(walSync).toBeLessThan(checkpoint);
    expect(checkpoint).toBeLessThan(markerWrite);
    expect(markerSync).toBeLessThan(firstDelete);
    const deletes = ops.filter((op) => op.startsWith('dir.delete'));
    expect(deletes).toEqual(
      result.truncation.deletedSegmentIds.map(
        (id) => `dir.delete wal/wal_${String(id).padStart(20, '0')}.log`,
      ),
    );
    if (backend.durable) {
      expect(
        ops.lastIndexOf(ops.filter((op) => op.startsWith('dir.syncParentDir wal/')).at(-1)!),
      ).toBeGreaterThan(ops.lastIndexOf(deletes.at(-1)!));
    } else {
      expect(ops.some((op) => /syncParentDir|syncFile|Durable/.test(op))).toBe(false);
    }
    expect(result).toMatchObject({
      checkpointPath: 'checkpoints/c8.vckp',
      lastAppliedId: 8,
      markerEntryId: 10,
      checkpoint: { durable: backend.durable, lastAppliedId: 8 },
      truncation: { deletedSegmentIds: [1, 2, 3, 4], firstRemainingEntryId: 9 },
      removedCheckpoints: [],
    });
    expect(await markers(t.dir)).toEqual([
      { entryId: 10, type: 'Checkpoint', checkpointPath: 'checkpoints/c8.vckp', lastEntryId: 8 },
    ]);
    await wal.close();
  });

  it('entry ids are never reused: publish, truncate everything possible, resume, append', async () => {
    const dir = await backend.create();
    const wal = await walWith(dir, 9);
    const state = await new RecoveryManager(dir).recover();
    const result = await new CheckpointPublisher(dir).publish(wal, state, 9, checkpointPathFor(9));
    expect(result.markerEntryId).toBe(10);
    // Everything the checkpoint covers is gone but the final segment (the marker's), which keeps the id.
    await new WalMaintenance(dir).truncatePrefix(Number.MAX_SAFE_INTEGER);
    expect((await new WalMaintenance(dir).segments()).map((s) => [s.firstEntryId, s.lastEntryId])).toEqual([
      [10, 10],
    ]);
    await wal.close();

    const resumed = await WalWriter.resume<WalEntry>(dir, { schema: walEntrySchema, segmentSizeBytes: 150 });
    expect(resumed.lastEntryId).toBe(10);
    const next = await resumed.append({ type: 'AddSegment', segmentId: 100, docCount: 1 });
    expect(next).toBe(11); // above both the WAL's last entry (10) and the checkpoint's lastAppliedId (9)
    await resumed.flushAndSync();
    // Rotate past the marker's segment, truncate again: the new final segment's header still knows the id.
    for (let i = 0; i < 4; i++) await resumed.append({ type: 'DeleteDocuments', deletes: [[100, 0]] });
    await resumed.flushAndSync();
    const second = await new CheckpointPublisher(dir).publish(
      resumed,
      await new RecoveryManager(dir).recoverLatest(),
      resumed.lastEntryId!,
      checkpointPathFor(resumed.lastEntryId!),
    );
    expect(second.truncation.deletedSegmentIds.length).toBeGreaterThan(0);
    await resumed.close();
    const again = await WalWriter.resume<WalEntry>(dir, { schema: walEntrySchema });
    expect(await again.append({ type: 'AddSegment', segmentId: 101, docCount: 1 })).toBe(
      second.markerEntryId + 1,
    );
    await again.close();
    const recovered = await new RecoveryManager(dir).recoverLatest();
    expect(recovered.lastEntryId).toBe(second.markerEntryId + 1);
    expect(recovered.segments.map((s) => s.segmentId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 100, 101]);
  });

  it('refuses a lastAppliedId above the WAL or other than the state says (RangeError), a path in wal/ or unsafe (InvalidPathError); writes nothing', async () => {
    const t = traced(await backend.create());
    const wal = await walWith(t.dir, 3);
    const state = await new RecoveryManager(t.dir).recover();
    const publisher = new CheckpointPublisher(t.dir);
    t.calls.length = 0;
    await expect(publisher.publish(wal, state, 4, 'c.vckp')).rejects.toBeInstanceOf(RangeError);
    await expect(publisher.publish(wal, state, -1, 'c.vckp')).rejects.toBeInstanceOf(RangeError);
    // A recovered state through entry 3 published as "through 2" would apply entry 3 twice.
    await expect(publisher.publish(wal, state, 2, 'c.vckp')).rejects.toThrow(/reflects entries through 3/);
    await expect(publisher.publish(wal, state, 3, 'wal/c.vckp')).rejects.toBeInstanceOf(InvalidPathError);
    await expect(publisher.publish(wal, state, 3, '../c.vckp')).rejects.toBeInstanceOf(InvalidPathError);
    await expect(
      publisher.publish(wal, state, 3, 'c.vckp', { removeCheckpoints: ['c.vckp'] }),
    ).rejects.toBeInstanceOf(InvalidPathError);
    await expect(
      publisher.publish(wal, { segments: [{ segmentId: 1 }] } as never, 3, 'c.vckp'),
    ).rejects.toBeInstanceOf(EncodeError);
    expect(t.calls.filter((c) => c.op !== 'writer.sync' && c.op !== 'writer.flush')).toEqual([]);
    expect(wal.lastEntryId).toBe(3);
    expect(() => new CheckpointPublisher(t.dir, { maxPayloadBytes: 0 })).toThrow(InvalidConfigError);
    await wal.close();
  });

  it.runIf(!backend.durable)(
    'without durableSync: plain atomicWrite, said in the result; requireDurable refuses instead',
    async () => {
      const t = traced(await backend.create());
      const wal = await walWith(t.dir, 2);
      const state = await new RecoveryManager(t.dir).recover();
      t.calls.length = 0;
      await expect(
        new CheckpointPublisher(t.dir, { requireDurable: true }).publish(wal, state, 2, 'c.vckp'),
      ).rejects.toBeInstanceOf(NotSupportedError);
      expect(t.calls).toEqual([]);
      const result = await new CheckpointPublisher(t.dir).publish(wal, state, 2, 'c.vckp');
      expect(result.checkpoint.durable).toBe(false);
      await wal.close();
    },
  );

  it('removes superseded checkpoints only after the new marker is durable, then syncs their directory', async () => {
    const t = traced(await backend.create());
    const wal = await walWith(t.dir, 4);
    const publisher = new CheckpointPublisher(t.dir);
    const manager = new RecoveryManager(t.dir);
    await publisher.publish(wal, await manager.recover(), 4, checkpointPathFor(4));
    await wal.append({ type: 'DeleteDocuments', deletes: [[1, 0]] });
    await wal.flush();
    t.calls.length = 0;
    const result = await publisher.publish(wal, await manager.recoverLatest(), 6, checkpointPathFor(6), {
      removeCheckpoints: [checkpointPathFor(4)],
    });
    expect(result.removedCheckpoints).toEqual([checkpointPathFor(4)]);
    const ops = t.calls.map((c) => `${c.op} ${c.path}`);
    const removal = ops.indexOf(`dir.delete ${checkpointPathFor(4)}`);
    const lastSync = ops.map((op) => op.startsWith('writer.sync')).lastIndexOf(true);
    expect(removal).toBeGreaterThan(lastSync);
    if (backend.durable) expect(ops.slice(removal)).toContain(`dir.syncParentDir ${checkpointPathFor(4)}`);
    expect(await t.dir.exists(checkpointPathFor(4))).toBe(false);
    expect((await manager.recoverLatest()).checkpoint?.path).toBe(checkpointPathFor(6));
    await wal.close();
  });

  it('concurrent publishes on one publisher run one at a time, markers in call order', async () => {
    const dir = await backend.create();
    const wal = await walWith(dir, 6);
    const state = await new RecoveryManager(dir).recover();
    const firstThree = { segments: state.segments.slice(0, 3), pendingMerges: [] };
    const publisher = new CheckpointPublisher(dir);
    const [a, b] = await Promise.all([
      publisher.publish(wal, firstThree, 3, 'checkpoints/a.vckp'),
      publisher.publish(wal, state, 6, 'checkpoints/b.vckp'),
    ]);
    expect([a.markerEntryId, b.markerEntryId]).toEqual([7, 8]);
    expect((await new RecoveryManager(dir).recoverLatest()).checkpoint).toEqual({
      path: 'checkpoints/b.vckp',
      lastAppliedId: 6,
      markerEntryId: 8,
    });
    await wal.close();
  });

  it('verify: a codec that cannot read what it wrote is caught before the marker; nothing is truncated', async () => {
    const dir = await backend.create();
    const wal = await walWith(dir, 6);
    const broken = {
      encode: () => Uint8Array.of(0x01),
      decode: () => {
        throw new Error('unreadable');
      },
    };
    const publisher = new CheckpointPublisher<unknown>(dir, { codec: broken, verify: true });
    await expect(publisher.publish(wal, {}, 6, 'c.vckp')).rejects.toMatchObject({ code: 'DECODE' });
    expect(await markers(dir)).toEqual([]);
    expect((await segmentPaths(dir)).length).toBeGreaterThan(1);
    expect((await new RecoveryManager(dir).recoverLatest()).lastEntryId).toBe(6);
    // The default codec verifies cleanly.
    await new CheckpointPublisher(dir, { verify: true }).publish(
      wal,
      await new RecoveryManager(dir).recover(),
      6,
      'd.vckp',
    );
    await wal.close();
  });

  it('a lagging checkpoint keeps every segment holding an entry it does not cover', async () => {
    const dir = await backend.create();
    const wal = await walWith(dir, 10);
    const empty = await new CheckpointPublisher(dir).publish(
      wal,
      { segments: [], pendingMerges: [] },
      0,
      'zero.vckp',
    );
    expect(empty.truncation.deletedSegmentIds).toEqual([]);
    const firstFive = {
      segments: [1, 2, 3, 4, 5].map((i) => ({ segmentId: i, docCount: i, deletedDocs: [] })),
      pendingMerges: [],
    };
    const partial = await new CheckpointPublisher(dir).publish(wal, firstFive, 5, 'five.vckp');
    expect(partial.truncation).toMatchObject({ deletedSegmentIds: [1, 2], firstRemainingEntryId: 5 });
    await wal.close();
    const recovered = await new RecoveryManager(dir).recoverLatest();
    expect(recovered.segments.map((s) => s.segmentId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(recovered).toMatchObject({ lastEntryId: 12, checkpoint: { path: 'five.vckp', lastAppliedId: 5 } });
    expect(recovered.report.firstEntryId).toBe(5); // entry 5 is replayed and skipped: covered
  });
});
