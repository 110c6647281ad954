import { describeDirectoryContract } from '@durability/conformance';
import { bytesCodec, LockedError, ObjectStoreDirectory, WalReader, WalWriter } from '@durability/core';
import { expect, it } from 'vitest';
import { S3ObjectStore } from '../src/index.js';
import { describeWithS3, emptyStore, newStore, storeOptions } from './support/s3-env.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const entry = (i: number) => encoder.encode(`entry-${String(i).padStart(5, '0')}`);

describeWithS3('ObjectStoreDirectory over S3ObjectStore on a real S3 server', (env) => {
  describeDirectoryContract('ObjectStoreDirectory(S3ObjectStore)', {
    create: () => new ObjectStoreDirectory(newStore(env, 'directory')),
    destroy: (dir) => emptyStore((dir as ObjectStoreDirectory).store as S3ObjectStore),
  });

  it('WAL smoke: append, flushAndSync, rotate, close, resume, append, replay', {
    timeout: 120_000,
  }, async () => {
    const store = newStore(env, 'wal');
    const dir = new ObjectStoreDirectory(store);
    try {
      const options = { codec: bytesCodec, segmentSizeBytes: 512 };
      const first = await WalWriter.create<Uint8Array>(dir, options);
      for (let i = 1; i <= 60; i++) {
        expect(await first.append(entry(i))).toBe(i);
        if (i % 5 === 0) await first.flushAndSync();
      }
      await first.close();
      const objects = (await store.listObjects({})).objects.length;
      expect(objects, 'part objects of several 512-byte segments').toBeGreaterThan(3);

      const second = await WalWriter.resume<Uint8Array>(dir, options);
      expect(second.lastEntryId).toBe(60);
      for (let i = 61; i <= 80; i++) await second.append(entry(i));
      await second.flushAndSync();
      await second.close();

      const replayed = await new WalReader<Uint8Array>(dir, { codec: bytesCodec }).replay({ mode: 'strict' });
      expect(replayed.map((r) => r.entryId)).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
      expect(replayed.map((r) => decoder.decode(r.payload))).toEqual(
        Array.from({ length: 80 }, (_, i) => decoder.decode(entry(i + 1))),
      );
    } finally {
      await emptyStore(store);
    }
  });

  it('fencing on RGW: once a second writer claims the file, the first one writes nothing more', {
    timeout: 60_000,
  }, async () => {
    // Two clients (two "processes") on one key space.
    const storeA = newStore(env, 'fence');
    const storeB = new S3ObjectStore({ ...storeOptions(env, storeA.keyPrefix) });
    try {
      const dirA = new ObjectStoreDirectory(storeA);
      const dirB = new ObjectStoreDirectory(storeB);
      const stale = await dirA.appendFile('race.log');
      await stale.write(encoder.encode('a1 '));
      await stale.sync();
      const fresh = await dirB.appendFile('race.log');
      await fresh.write(encoder.encode('b1'));
      await fresh.sync();
      await expect(
        (async () => {
          await stale.write(encoder.encode('a2'));
          await stale.sync();
        })(),
      ).rejects.toSatisfy((error) => LockedError.is(error));
      await fresh.close();
      expect(decoder.decode(await dirA.readFile('race.log'))).toBe('a1 b1');
    } finally {
      await emptyStore(storeA);
      storeB.destroy();
    }
  });
});
