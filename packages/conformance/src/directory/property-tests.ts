import type { Directory, FileWriter } from '@durability/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { concat, expectBytes, type Fixture, nextTurn, pattern, writeFile } from './harness.js';

/**
 * Runs per property: enough to find ordering and offset bugs, few enough to keep the suite fast. Each
 * property (shrinking included) is also cut off after `TIME_LIMIT_MS`: a failure found by then is still
 * reported, with the smallest counterexample found so far, and a backend too slow to finish every run in
 * time passes with the runs it completed.
 */
const RUNS = 60;
const TIME_LIMIT_MS = 10_000;
const SETTINGS = { numRuns: RUNS, plugins: [fc.interruptAfterTimeLimit(TIME_LIMIT_MS)] };

const FILES = ['a.log', 'wal/b.log'] as const;

type WriterCommand =
  | { readonly op: 'createFile' | 'appendFile' | 'flush' | 'close'; readonly file: number }
  | { readonly op: 'write'; readonly file: number; readonly data: Uint8Array };

const fileIndex = fc.integer({ min: 0, max: FILES.length - 1 });

const writerCommand: fc.Arbitrary<WriterCommand> = fc.oneof(
  fc.record({ op: fc.constantFrom('createFile' as const, 'appendFile' as const), file: fileIndex }),
  {
    arbitrary: fc.record({
      op: fc.constant('write' as const),
      file: fileIndex,
      data: fc.uint8Array({ maxLength: 40 }),
    }),
    weight: 4,
  },
  fc.record({ op: fc.constantFrom('flush' as const, 'close' as const), file: fileIndex }),
);

/**
 * Runs `commands` against the backend and against a model (each file's content as one byte array),
 * checking the writer's `length` after every call and the file's content at every visibility boundary
 * (`flush`, `close`). A file has at most one open writer: opening another closes the first.
 */
async function runAgainstModel(dir: Directory, commands: readonly WriterCommand[]): Promise<void> {
  const model = new Map<string, Uint8Array>();
  const writers = new Map<string, FileWriter>();
  const closeWriter = async (path: string): Promise<void> => {
    await writers.get(path)?.close();
    writers.delete(path);
  };
  for (const command of commands) {
    const path = FILES[command.file]!;
    const writer = writers.get(path);
    switch (command.op) {
      case 'createFile':
      case 'appendFile': {
        await closeWriter(path);
        const opened = await dir[command.op](path);
        if (command.op === 'createFile' || !model.has(path)) model.set(path, new Uint8Array(0));
        expect(opened.length, `${command.op} ${path}`).toBe(model.get(path)!.length);
        writers.set(path, opened);
        break;
      }
      case 'write':
        if (writer === undefined) break;
        await writer.write(command.data);
        model.set(path, concat([model.get(path)!, command.data]));
        expect(writer.length, `length of ${path}`).toBe(model.get(path)!.length);
        break;
      case 'flush':
        if (writer === undefined) break;
        await writer.flush();
        expectBytes(await dir.readFile(path), model.get(path)!, `${path} after flush`);
        break;
      case 'close':
        if (writer === undefined) break;
        await closeWriter(path);
        expectBytes(await dir.readFile(path), model.get(path)!, `${path} after close`);
        break;
    }
  }
  for (const path of [...writers.keys()]) await closeWriter(path);
  for (const [path, content] of model) expectBytes(await dir.readFile(path), content, path);
  const top = new Set([...model.keys()].map((path) => path.split('/')[0]!));
  expect(await dir.list('')).toEqual([...top].sort());
}

/** Random workloads checked against a model of concatenated byte arrays (fast-check). */
export function describeProperties(fixture: Fixture): void {
  describe('properties', () => {
    it('random createFile/appendFile/write/flush/close sequences match the model', () =>
      fc.assert(
        fc.asyncProperty(fc.array(writerCommand, { maxLength: 40 }), async (commands) => {
          await nextTurn();
          await fixture.run((dir) => runAgainstModel(dir, commands));
        }),
        SETTINGS,
      ));

    it('random ranged reads (read and FileReader.read) equal slices of the model', () =>
      fc.assert(
        fc.asyncProperty(
          // A length and a seed rather than raw bytes: what matters is where reads land, and two integers
          // shrink in a few steps where 3000 random bytes would take thousands.
          fc.record({ length: fc.nat({ max: 3000 }), seed: fc.nat({ max: 255 }) }),
          fc.array(fc.nat({ max: 3000 }), { maxLength: 8 }),
          fc.array(fc.record({ offset: fc.nat({ max: 3100 }), length: fc.nat({ max: 3100 }) }), {
            maxLength: 20,
          }),
          async (shape, cuts, ranges) => {
            const content = pattern(shape.length, shape.seed);
            await nextTurn();
            await fixture.run(async (dir) => {
              const writer = await dir.createFile('data/file.bin');
              let start = 0;
              for (const cut of [...cuts.map((c) => Math.min(c, content.length))].sort((x, y) => x - y)) {
                await writer.write(content.subarray(start, Math.max(start, cut)));
                start = Math.max(start, cut);
              }
              await writer.write(content.subarray(start));
              await writer.close();
              await writeFile(dir, 'data/other.bin', content.subarray(0, 7));
              const reader = await dir.openReader('data/file.bin');
              expect(reader.length).toBe(content.length);
              for (const { offset, length } of ranges) {
                const expected = content.slice(offset, offset + length);
                expectBytes(
                  await dir.read('data/file.bin', offset, length),
                  expected,
                  `read(${offset}, ${length})`,
                );
                expectBytes(await reader.read(offset, length), expected, `reader.read(${offset}, ${length})`);
              }
              await reader.close();
            });
          },
        ),
        SETTINGS,
      ));
  });
}
