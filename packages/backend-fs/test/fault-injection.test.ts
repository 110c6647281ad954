import { IoError } from '@durability/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FsCall, FsOps } from '../src/index.js';
import { FsDirectory, interceptFsOps, isTempFileName, nodeFsOps } from '../src/index.js';
import { bytes, errnoError, failingOps, namesOnDisk, tempDir, text } from './helpers.js';

/** `nodeFsOps` whose writes accept at most `max` bytes per call and whose reads return at most `max`. */
function shortIoOps(max: number): FsOps {
  return interceptFsOps(nodeFsOps, (call, proceed) => {
    if (call.op !== 'fh.write' && call.op !== 'fh.read') return proceed();
    const [buffer, offset, length, position] = call.args as [Uint8Array, number, number, number | null];
    return proceed([buffer, offset, Math.min(length, max), position]);
  });
}

function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (i * 31 + seed * 7) & 0xff;
  return out;
}

describe('short writes and reads', () => {
  it('writers loop until every byte is written, and length stays exact', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 17 }),
        fc.array(fc.integer({ min: 0, max: 300 }), { minLength: 1, maxLength: 8 }),
        async (max, sizes) => {
          const root = await tempDir();
          const dir = new FsDirectory(root, { ops: shortIoOps(max) });
          const chunks = sizes.map((size, i) => randomBytes(size, i));
          const writer = await dir.createFile('log');
          for (const chunk of chunks) await writer.write(chunk);
          await writer.sync();
          const expected = Buffer.concat(chunks);
          expect(writer.length).toBe(expected.length);
          await writer.close();
          const appender = await dir.appendFile('log');
          expect(appender.length).toBe(expected.length);
          await appender.write(bytes('tail'));
          await appender.close();
          const all = Buffer.concat([expected, bytes('tail')]);
          expect(Buffer.from(await new FsDirectory(root).readFile('log'))).toEqual(all);
          // Reads loop over short reads too.
          expect(Buffer.from(await dir.readFile('log'))).toEqual(all);
          expect(Buffer.from(await dir.read('log', 3, 50))).toEqual(all.subarray(3, 53));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('atomicWrite and createExclusive write whole content through short writes', async () => {
    const root = await tempDir();
    const dir = new FsDirectory(root, { ops: shortIoOps(3) });
    const content = randomBytes(1000, 9);
    await dir.atomicWrite('ckpt', content);
    await dir.createExclusive('lock', content);
    const plain = new FsDirectory(root);
    expect(Buffer.from(await plain.readFile('ckpt'))).toEqual(Buffer.from(content));
    expect(Buffer.from(await plain.readFile('lock'))).toEqual(Buffer.from(content));
  });

  it('a write that makes no progress fails with IoError instead of looping', async () => {
    const ops = interceptFsOps(nodeFsOps, (call, proceed) =>
      call.op === 'fh.write' ? Promise.resolve(0) : proceed(),
    );
    const writer = await new FsDirectory(await tempDir(), { ops }).createFile('f');
    await expect(writer.write(bytes('abc'))).rejects.toMatchObject({
      code: 'IO',
      errno: 'EIO',
      syscall: 'write',
    });
    await writer.close();
  });
});

describe('writer fail-stop', () => {
  it('after a failed sync, every later write, flush and sync rejects with the first error', async () => {
    let failures = 0;
    const ops = interceptFsOps(nodeFsOps, (call, proceed) => {
      if (call.op === 'fh.datasync' && failures++ === 0)
        return Promise.reject(errnoError('EIO', 'fdatasync'));
      return proceed();
    });
    const writer = await new FsDirectory(await tempDir(), { ops }).createFile('wal/1.log');
    await writer.write(bytes('a'));
    const first = await writer.sync().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(first).toBeInstanceOf(IoError);
    // The retried fsync would succeed at the OS level; the writer must not report it.
    await expect(writer.sync()).rejects.toBe(first);
    await expect(writer.write(bytes('b'))).rejects.toBe(first);
    await expect(writer.flush()).rejects.toBe(first);
    await writer.close();
    await writer.close();
    expect(failures).toBe(1);
  });

  it('after a failed write, length counts only the bytes the kernel accepted', async () => {
    let writes = 0;
    const ops = interceptFsOps(nodeFsOps, (call, proceed) => {
      if (call.op !== 'fh.write') return proceed();
      if (writes++ === 0) {
        const [buffer, offset, , position] = call.args as [Uint8Array, number, number, null];
        return proceed([buffer, offset, 2, position]);
      }
      return Promise.reject(errnoError('ENOSPC', 'write'));
    });
    const root = await tempDir();
    const writer = await new FsDirectory(root, { ops }).createFile('f');
    await expect(writer.write(bytes('abcdef'))).rejects.toMatchObject({
      code: 'IO',
      errno: 'ENOSPC',
      path: 'f',
    });
    expect(writer.length).toBe(2);
    await writer.close();
    expect(text(await new FsDirectory(root).readFile('f'))).toBe('ab');
  });

  it('calls after close reject with InvalidStateError', async () => {
    const writer = await new FsDirectory(await tempDir()).createFile('f');
    await writer.close();
    await expect(writer.write(bytes('x'))).rejects.toMatchObject({ code: 'INVALID_STATE' });
    await expect(writer.sync()).rejects.toMatchObject({ code: 'INVALID_STATE' });
  });
});

describe('atomicWrite under injected failures', () => {
  it('leaves no temp file, and the target holds the old or the new content, wherever a call fails', async () => {
    const root = await tempDir();
    const plain = new FsDirectory(root);
    const counted: FsCall[] = [];
    await plain.atomicWrite('d/state', bytes('old'));
    await new FsDirectory(root, { ops: failingOps(-1, 'EIO', counted) }).atomicWriteDurable(
      'd/state',
      bytes('new'),
    );
    expect(counted.length).toBeGreaterThan(8);
    for (const code of ['EIO', 'ENOSPC']) {
      for (let failAt = 0; failAt < counted.length; failAt++) {
        await plain.atomicWrite('d/state', bytes('old'));
        const dir = new FsDirectory(root, { ops: failingOps(failAt, code) });
        const result = await dir.atomicWrite('d/state', bytes('new')).then(
          () => 'ok',
          (e: unknown) => e,
        );
        if (result !== 'ok') expect(result).toMatchObject({ errno: code });
        expect(['old', 'new']).toContain(text(await plain.readFile('d/state')));
        expect((await namesOnDisk(`${root}/d`)).filter(isTempFileName)).toEqual([]);
        expect(await namesOnDisk(`${root}/d`)).toEqual(['state']);
      }
    }
  });

  it('leaves no temp file after success', async () => {
    const root = await tempDir();
    const dir = new FsDirectory(root);
    for (let i = 0; i < 5; i++) await dir.atomicWrite('state', bytes(`v${i}`));
    expect(await namesOnDisk(root)).toEqual(['state']);
    expect(text(await dir.readFile('state'))).toBe('v4');
  });

  it('createExclusive removes its temp after success and after a failure', async () => {
    const root = await tempDir();
    const counted: FsCall[] = [];
    await new FsDirectory(root, { ops: failingOps(-1, 'EIO', counted) }).createExclusive('probe', bytes('x'));
    for (let failAt = 0; failAt < counted.length; failAt++) {
      await new FsDirectory(root).delete('lock');
      const dir = new FsDirectory(root, { ops: failingOps(failAt) });
      const op = counted[failAt]?.op;
      const result = await dir.createExclusive('lock', bytes('x')).then(
        () => 'ok',
        (e: unknown) => e,
      );
      const names = await namesOnDisk(root);
      if (op === 'unlink') {
        // Only the cleanup itself failed: the lock is taken, the leftover temp is recognisable garbage.
        expect(result).toBe('ok');
      } else {
        expect(names.filter(isTempFileName)).toEqual([]);
        expect(result === 'ok' || (result as { errno?: string }).errno === 'EIO').toBe(true);
      }
    }
  });
});
