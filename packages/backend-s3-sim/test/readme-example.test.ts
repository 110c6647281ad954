import { readFile } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';

describe('README example', () => {
  it('runs, and the README shows exactly this code', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const { result } = await import('./readme-example.js');
    const lines = log.mock.calls.map((call) => call.join(' '));
    log.mockRestore();
    expect(lines[0]).toBe('100 PUTs, 28890 bytes for 1,000 appends');
    expect(lines[1]).toBe('1001 entries, last id 1001');
    expect(lines[2]).toBe('fenced: true');
    expect(result.entries).toBe(1001);
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const example = await readFile(new URL('./readme-example.ts', import.meta.url), 'utf8');
    const body = example.slice(0, example.indexOf('export const result')).trim();
    expect(readme).toContain(body);
  });
});
