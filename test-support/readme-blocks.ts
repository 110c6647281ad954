import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { vi } from 'vitest';

/**
 * README examples are executed by tests, so they cannot drift from the exports (keyv's lesson).
 * `readmeBlocks` returns every ```ts block of a README in order; `runReadmeBlock` writes one next to the
 * calling test (so vitest resolves `@durability/*` imports to the workspace sources), imports it, and
 * returns what it printed with console.log.
 */
export async function readmeBlocks(readmePath: string): Promise<string[]> {
  const readme = await readFile(readmePath, 'utf8');
  return [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
}

export async function runReadmeBlock(code: string, besideFile: string): Promise<unknown[][]> {
  const file = join(dirname(besideFile), `.readme-block-${process.pid}-${Date.now()}.ts`);
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    await writeFile(file, code);
    await import(/* @vite-ignore */ file);
    return log.mock.calls.map((call) => [...call]);
  } finally {
    log.mockRestore();
    await rm(file, { force: true });
  }
}
