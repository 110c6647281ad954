import type { Directory, DirectoryCapabilities, DurableDirectory } from '@durability/core';
import { isDurableDirectory, NotSupportedError } from '@durability/core';
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

const CAPABILITY_KEYS = ['atomicRename', 'crossProcessLock', 'durableSync', 'filePaths', 'nativeAppend'];

const DURABLE_METHODS = ['syncFile', 'syncParentDir', 'atomicWriteDurable', 'atomicRenameDurable'] as const;

/**
 * The capability manifest, and each capability tested in both directions where one process can observe
 * it. `nativeAppend` and `crossProcessLock` have no in-process observable difference; the crash-model
 * suite covers what they promise.
 */
export function describeCapabilities(fixture: Fixture, capabilities: DirectoryCapabilities): void {
  describe('capabilities', () => {
    it('declares exactly the five capabilities, each a boolean', () =>
      fixture.run(async (dir) => {
        expect(Object.keys(dir.capabilities).sort()).toEqual(CAPABILITY_KEYS);
        for (const key of CAPABILITY_KEYS) {
          expect(typeof (dir.capabilities as unknown as Record<string, unknown>)[key], key).toBe('boolean');
        }
        expect({ ...dir.capabilities }).toEqual({ ...capabilities });
      }));
  });

  describe.runIf(capabilities.durableSync)('durableSync: true', () => {
    it('implements every DurableDirectory operation', () =>
      fixture.run(async (dir) => {
        for (const method of DURABLE_METHODS) {
          expect(typeof (dir as Partial<DurableDirectory>)[method], method).toBe('function');
        }
        expect(isDurableDirectory(dir)).toBe(true);
      }));

    it('FileWriter.sync resolves and the data is intact', () =>
      fixture.run(async (dir) => {
        const writer = await dir.createFile('wal/a.log');
        await writer.write(pattern(1000, 1));
        await writer.sync();
        await writer.write(pattern(10, 2));
        await writer.sync();
        await writer.close();
        expect(await dir.size('wal/a.log')).toBe(1010);
      }));

    it('syncFile and syncParentDir resolve and the data is intact', () =>
      fixture.run(async (dir) => {
        const durable = dir as DurableDirectory;
        await writeFile(dir, 'wal/a.log', bytes('abc'));
        await durable.syncFile('wal/a.log');
        await durable.syncParentDir('wal/a.log');
        await writeFile(dir, 'top.log', bytes('top'));
        await durable.syncParentDir('top.log');
        expect(text(await dir.readFile('wal/a.log'))).toBe('abc');
        expect(text(await dir.readFile('top.log'))).toBe('top');
      }));

    it('atomicWriteDurable creates and replaces the content, leaving no other entry behind', () =>
      fixture.run(async (dir) => {
        const durable = dir as DurableDirectory;
        await dir.mkdirp('ckpt');
        await durable.atomicWriteDurable('ckpt/current', bytes('first version'));
        expect(text(await dir.readFile('ckpt/current'))).toBe('first version');
        await durable.atomicWriteDurable('ckpt/current', bytes('v2'));
        expect(text(await dir.readFile('ckpt/current'))).toBe('v2');
        expect(await dir.list('ckpt')).toEqual(['current']);
      }));

    it('atomicRenameDurable moves and replaces, within and across directories', () =>
      fixture.run(async (dir) => {
        const durable = dir as DurableDirectory;
        await writeFile(dir, 'ckpt/next.tmp', bytes('new'));
        await writeFile(dir, 'ckpt/current', bytes('old'));
        await durable.atomicRenameDurable('ckpt/next.tmp', 'ckpt/current');
        expect(await dir.list('ckpt')).toEqual(['current']);
        expect(text(await dir.readFile('ckpt/current'))).toBe('new');
        await dir.mkdirp('archive');
        await durable.atomicRenameDurable('ckpt/current', 'archive/ckpt-1');
        expect(await dir.list('ckpt')).toEqual([]);
        expect(text(await dir.readFile('archive/ckpt-1'))).toBe('new');
      }));
  });

  describe.runIf(!capabilities.durableSync)('durableSync: false', () => {
    it('is not a DurableDirectory to core', () =>
      fixture.run(async (dir) => {
        expect(isDurableDirectory(dir)).toBe(false);
      }));

    it('FileWriter.sync still resolves, as an ordering barrier, and the data is intact', () =>
      fixture.run(async (dir) => {
        const writer = await dir.createFile('wal/a.log');
        await writer.write(bytes('abc'));
        await writer.sync();
        await writer.close();
        expect(text(await dir.readFile('wal/a.log'))).toBe('abc');
      }));

    it('each durable operation it has rejects with NotSupportedError and changes nothing', () =>
      fixture.run(async (dir) => {
        const durable = dir as Partial<DurableDirectory>;
        await writeFile(dir, 'ckpt/current', bytes('old'));
        await writeFile(dir, 'ckpt/next.tmp', bytes('new'));
        const calls: Record<(typeof DURABLE_METHODS)[number], () => Promise<void>> = {
          syncFile: () => durable.syncFile!('ckpt/current'),
          syncParentDir: () => durable.syncParentDir!('ckpt/current'),
          atomicWriteDurable: () => durable.atomicWriteDurable!('ckpt/current', bytes('durable')),
          atomicRenameDurable: () => durable.atomicRenameDurable!('ckpt/next.tmp', 'ckpt/current'),
        };
        for (const method of DURABLE_METHODS) {
          if (typeof durable[method] !== 'function') continue;
          await expectRejection(calls[method], NotSupportedError, method);
        }
        expect(await dir.list('ckpt')).toEqual(['current', 'next.tmp']);
        expect(text(await dir.readFile('ckpt/current'))).toBe('old');
      }));
  });

  describe.runIf(capabilities.filePaths)('filePaths: true', () => {
    it('filePath returns a distinct operating-system path for files, directories and the root', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'wal/a.log', bytes('abc'));
        const paths = ['wal/a.log', 'wal', ''].map((path) => dir.filePath(path));
        for (const path of paths) {
          expect(typeof path).toBe('string');
          expect(path).not.toBe('');
        }
        expect(new Set(paths).size).toBe(3);
      }));
  });

  describe.runIf(!capabilities.filePaths)('filePaths: false', () => {
    it('filePath returns undefined', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'wal/a.log', bytes('abc'));
        expect(dir.filePath('wal/a.log')).toBeUndefined();
        expect(dir.filePath('missing')).toBeUndefined();
      }));
  });

  describe.runIf(capabilities.atomicRename)('atomicRename: true', () => {
    it('readers of the target see the old file or the new one during renames, never neither or a mix', () =>
      fixture.run(async (dir) => renameUnderReaders(dir)));
  });
}

/** Repeatedly renames fresh files over `target` while readers poll it. */
async function renameUnderReaders(dir: Directory): Promise<void> {
  const versions = Array.from({ length: 6 }, (_, i) => pattern(2048 + 512 * i, 50 + i));
  await writeFile(dir, 'ckpt/current', versions[0]!);
  const renaming = (async () => {
    for (let round = 0; round < 4; round++) {
      for (const version of versions) {
        await writeFile(dir, 'ckpt/next.tmp', version);
        await dir.rename('ckpt/next.tmp', 'ckpt/current');
      }
    }
  })();
  await pollWhile(renaming, 4, async () => {
    const outcome = await settle(() => dir.readFile('ckpt/current'));
    if (!outcome.ok)
      expect.fail(`the target was missing or unreadable during a rename: ${String(outcome.error)}`);
    const match = versions.some((version) => sameBytes(version, outcome.value));
    expect(match, `a reader saw ${outcome.value.length} bytes of no version`).toBe(true);
  });
  expectBytes(await dir.readFile('ckpt/current'), versions[versions.length - 1]!);
}
