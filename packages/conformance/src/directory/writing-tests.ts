import { type Directory, type FileWriter, InvalidStateError } from '@durability/core';
import { describe, expect, it } from 'vitest';
import {
  bytes,
  concat,
  expectBytes,
  expectRejection,
  type Fixture,
  pattern,
  text,
  writeFile,
} from './harness.js';

/** `createFile`, `appendFile` and every promise of `FileWriter`. */
export function describeWriting(fixture: Fixture): void {
  describe('createFile', () => {
    it('creates an empty file and opens a writer at offset 0', () =>
      fixture.run(async (dir) => {
        const writer = await dir.createFile('a.log');
        expect(writer.path).toBe('a.log');
        expect(writer.length).toBe(0);
        await writer.close();
        expect(await dir.exists('a.log')).toBe(true);
        expect(await dir.size('a.log')).toBe(0);
        expectBytes(await dir.readFile('a.log'), new Uint8Array(0));
      }));

    it('truncates an existing file to empty and writes from offset 0', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'a.log', bytes('hello world'));
        const writer = await dir.createFile('a.log');
        expect(writer.length).toBe(0);
        await writer.flush();
        expect(await dir.size('a.log')).toBe(0);
        await writer.write(bytes('xy'));
        await writer.close();
        expect(text(await dir.readFile('a.log'))).toBe('xy');
      }));

    it('creates missing parent directories', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'a/b/c.log', bytes('abc'));
        expect(await dir.exists('a')).toBe(true);
        expect(await dir.exists('a/b')).toBe(true);
        expect(await dir.list('a')).toEqual(['b']);
        expect(await dir.list('a/b')).toEqual(['c.log']);
        expect(text(await dir.readFile('a/b/c.log'))).toBe('abc');
      }));
  });

  describe('appendFile', () => {
    it('opens a writer positioned at the end of an existing file', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'a.log', bytes('abc'));
        const writer = await dir.appendFile('a.log');
        expect(writer.path).toBe('a.log');
        expect(writer.length).toBe(3);
        await writer.write(bytes('de'));
        expect(writer.length).toBe(5);
        await writer.close();
        expect(text(await dir.readFile('a.log'))).toBe('abcde');
      }));

    it('creates a missing file, and its missing parents, empty', () =>
      fixture.run(async (dir) => {
        const writer = await dir.appendFile('wal/x/a.log');
        expect(writer.length).toBe(0);
        await writer.write(bytes('abc'));
        await writer.close();
        expect(await dir.exists('wal/x')).toBe(true);
        expect(text(await dir.readFile('wal/x/a.log'))).toBe('abc');
      }));

    it('extends the file across successive writers', () =>
      fixture.run(async (dir) => {
        for (const part of ['one,', 'two,', 'three']) {
          const writer = await dir.appendFile('a.log');
          await writer.write(bytes(part));
          await writer.close();
        }
        expect(text(await dir.readFile('a.log'))).toBe('one,two,three');
      }));
  });

  describe('FileWriter', () => {
    it('length is the length at open plus every byte written since', () =>
      fixture.run(async (dir) => {
        await writeFile(dir, 'a.log', pattern(10, 1));
        const writer = await dir.appendFile('a.log');
        expect(writer.length).toBe(10);
        await writer.write(pattern(7, 2));
        expect(writer.length).toBe(17);
        await writer.write(new Uint8Array(0));
        expect(writer.length).toBe(17);
        await writer.flush();
        expect(writer.length).toBe(17);
        await writer.close();
        expect(await dir.size('a.log')).toBe(17);
      }));

    it('flush makes every written byte visible to readFile, read, openReader and size', () =>
      fixture.run(async (dir) => {
        const writer = await dir.createFile('a.log');
        await writer.write(bytes('hello '));
        await writer.write(bytes('world'));
        await writer.flush();
        expect(text(await dir.readFile('a.log'))).toBe('hello world');
        expect(text(await dir.read('a.log', 6, 5))).toBe('world');
        expect(await dir.size('a.log')).toBe(11);
        const reader = await dir.openReader('a.log');
        expect(reader.length).toBe(11);
        expect(text(await reader.read(0, 11))).toBe('hello world');
        await reader.close();
        await writer.write(bytes('!'));
        await writer.flush();
        expect(text(await dir.readFile('a.log'))).toBe('hello world!');
        await writer.close();
      }));

    it('sync flushes: written bytes are visible once it resolves', () =>
      fixture.run(async (dir) => {
        const writer = await dir.createFile('a.log');
        await writer.write(bytes('abc'));
        await writer.sync();
        expect(text(await dir.readFile('a.log'))).toBe('abc');
        await writer.close();
      }));

    it('close flushes', () =>
      fixture.run(async (dir) => {
        const writer = await dir.createFile('a.log');
        await writer.write(bytes('abc'));
        await writer.close();
        expect(text(await dir.readFile('a.log'))).toBe('abc');
      }));

    it('close is idempotent', () =>
      fixture.run(async (dir) => {
        const writer = await dir.createFile('a.log');
        await writer.write(bytes('abc'));
        await writer.close();
        await writer.close();
        expect(text(await dir.readFile('a.log'))).toBe('abc');
      }));

    it('write, flush and sync after close reject with InvalidStateError and change nothing', () =>
      fixture.run(async (dir) => {
        const writer = await dir.createFile('a.log');
        await writer.write(bytes('abc'));
        await writer.close();
        await expectRejection(() => writer.write(bytes('def')), InvalidStateError, 'write after close');
        await expectRejection(() => writer.flush(), InvalidStateError, 'flush after close');
        await expectRejection(() => writer.sync(), InvalidStateError, 'sync after close');
        expect(text(await dir.readFile('a.log'))).toBe('abc');
      }));

    it('copies written bytes: the caller may reuse its buffer once write settles', () =>
      fixture.run(async (dir) => {
        const buffer = bytes('abcd');
        const writer = await dir.createFile('a.log');
        await writer.write(buffer);
        buffer.fill(0x7a);
        await writer.write(buffer.subarray(1, 3));
        buffer.fill(0x30);
        await writer.close();
        expect(text(await dir.readFile('a.log'))).toBe('abcdzz');
      }));

    it('keeps many small writes in order', () =>
      fixture.run(async (dir) => {
        const writer = await dir.createFile('a.log');
        const parts: Uint8Array[] = [];
        for (let i = 0; i < 1000; i++) {
          const part = pattern(1 + (i % 13), i);
          parts.push(part);
          await writer.write(part);
        }
        await writer.close();
        expectBytes(await dir.readFile('a.log'), concat(parts));
      }));

    it('writes a large buffer intact', () =>
      fixture.run(async (dir) => {
        const large = pattern(1 << 20, 3);
        const writer = await dir.createFile('big.bin');
        await writer.write(large);
        await writer.write(large.subarray(0, 5));
        await writer.close();
        expect(await dir.size('big.bin')).toBe(large.length + 5);
        expectBytes(await dir.readFile('big.bin'), concat([large, large.subarray(0, 5)]));
      }));

    it('keeps writers of different files independent', () =>
      fixture.run(async (dir) => {
        const a = await dir.createFile('a.log');
        const b = await dir.createFile('sub/b.log');
        for (let i = 0; i < 10; i++) {
          await a.write(bytes(`a${i}`));
          await b.write(bytes(`b${i}`));
        }
        await a.close();
        await b.close();
        expect(text(await dir.readFile('a.log'))).toBe('a0a1a2a3a4a5a6a7a8a9');
        expect(text(await dir.readFile('sub/b.log'))).toBe('b0b1b2b3b4b5b6b7b8b9');
      }));
  });

  // Optional on a writer: each test skips itself when the backend's writer has none.
  describe('FileWriter.writeAndSync (where the writer offers it)', () => {
    const withWriteAndSync = (
      skip: () => void,
      open: (dir: Directory) => Promise<FileWriter>,
      body: (
        dir: Directory,
        writer: FileWriter,
        writeAndSync: (bytes: Uint8Array) => Promise<void>,
      ) => Promise<void>,
    ) =>
      fixture.run(async (dir) => {
        const writer = await open(dir);
        if (!writer.writeAndSync) {
          await writer.close();
          skip();
          return;
        }
        await body(dir, writer, (data) => writer.writeAndSync!(data));
      });

    it('appends like write, interleaved with write, and the bytes are visible once it resolves', ({ skip }) =>
      withWriteAndSync(
        skip,
        (dir) => dir.createFile('a.log'),
        async (dir, writer, writeAndSync) => {
          await writer.write(bytes('ab'));
          await writeAndSync(bytes('cd'));
          expect(writer.length).toBe(4);
          expect(text(await dir.readFile('a.log'))).toBe('abcd');
          await writeAndSync(bytes('ef'));
          await writer.write(bytes('g'));
          await writeAndSync(bytes('h'));
          expect(writer.length).toBe(8);
          expect(text(await dir.readFile('a.log'))).toBe('abcdefgh');
          await writer.close();
          expect(text(await dir.readFile('a.log'))).toBe('abcdefgh');
        },
      ));

    it('appends at the end of a file opened with appendFile', ({ skip }) =>
      withWriteAndSync(
        skip,
        async (dir) => {
          await writeFile(dir, 'a.log', bytes('hello'));
          return dir.appendFile('a.log');
        },
        async (dir, writer, writeAndSync) => {
          await writeAndSync(bytes(' world'));
          expect(writer.length).toBe(11);
          await writer.close();
          expect(text(await dir.readFile('a.log'))).toBe('hello world');
        },
      ));

    it('copies its bytes, and after close rejects with InvalidStateError and changes nothing', ({ skip }) =>
      withWriteAndSync(
        skip,
        (dir) => dir.createFile('a.log'),
        async (dir, writer, writeAndSync) => {
          const buffer = bytes('abcd');
          await writeAndSync(buffer);
          buffer.fill(0);
          await writer.close();
          await expectRejection(
            () => writeAndSync(bytes('x')),
            InvalidStateError,
            'writeAndSync after close',
          );
          expect(text(await dir.readFile('a.log'))).toBe('abcd');
        },
      ));
  });
}
