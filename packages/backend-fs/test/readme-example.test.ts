import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it, vi } from 'vitest';
import { tempDir } from './helpers.js';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The first ```ts block after `heading` in the README. */
async function readmeBlock(heading: string): Promise<string> {
  const readme = await readFile(join(packageDir, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf(heading));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match?.[1]) throw new Error(`no ts block after ${heading}`);
  return match[1];
}

/** Writes `code` beside the tests, imports it with `console.log` captured, and returns what it logged. */
async function runReadmeBlock(code: string, name: string): Promise<unknown[][]> {
  // The example imports the package by name; vitest resolves it to this package's source.
  const file = join(packageDir, 'test', `.readme-${name}-${process.pid}.ts`);
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  // The example makes its directory under os.tmpdir(); point that at a directory the test removes.
  const previousTmp = process.env.TMPDIR;
  process.env.TMPDIR = await tempDir();
  try {
    await writeFile(file, code);
    await import(/* @vite-ignore */ file);
    return log.mock.calls;
  } finally {
    log.mockRestore();
    if (previousTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previousTmp;
    await rm(file, { force: true });
  }
}

it('the README example runs and prints what its comments say', async () => {
  const logged = await runReadmeBlock(await readmeBlock('## Example'), 'example');
  expect(logged).toEqual([['hello\n'], [['logs', 'state.json']]]);
});

it('the README blocking I/O example runs and prints what its comments say', async () => {
  const code = await readmeBlock("## Blocking I/O (`io: 'blocking'`)");
  expect(code).toContain("{ io: 'blocking' }");
  const logged = await runReadmeBlock(code, 'blocking');
  expect(logged).toEqual([[[{ n: 1 }, { n: 2 }, { n: 3 }]]]);
});

it('the README seam example names only real exports', async () => {
  const code = await readmeBlock('## The test seam');
  for (const name of ['FsDirectory', 'interceptFsOps', 'nodeFsOps', 'FsCall']) expect(code).toContain(name);
  const exports = await import('../src/index.js');
  expect(Object.keys(exports).sort()).toEqual([
    'FsDirectory',
    'blockingFsOps',
    'interceptFsOps',
    'isTempFileName',
    'nodeFsOps',
  ]);
});
