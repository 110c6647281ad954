import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const example = readFileSync(new URL('./readme-example.ts', import.meta.url), 'utf8');

describe('README example', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('is test/readme-example.ts verbatim, importing the published name', () => {
    const published = example.replace("from '../src/index.js'", "from '@durability/backend-memory'");
    expect(readme).toContain(`\`\`\`ts\n${published}\`\`\``);
  });

  it('prints what its comments say', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    await import('./readme-example.js');
    expect(log.mock.calls).toEqual([[['segment.log']], ['hello'], [true, false], ['NOT_SUPPORTED']]);
  });
});
