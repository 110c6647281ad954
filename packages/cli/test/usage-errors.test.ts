import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempRoot, writeWal } from './support/make-wal.js';
import { durability } from './support/run-cli.js';

/** A user mistake: one line on stderr (`durability: CODE: message`), exit 64, never a stack trace. */

let root: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ root, cleanup } = await tempRoot());
  await writeWal(join(root, 'db'), 3);
  await mkdir(join(root, 'empty'));
});
afterAll(() => cleanup());

const NO_CREDENTIALS = { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' };

const mistakes: {
  name: string;
  args: (root: string) => string[];
  line: RegExp;
  env?: Record<string, string>;
}[] = [
  {
    name: 'a missing directory',
    args: (r) => ['verify', join(r, 'nope')],
    line: /^durability: NOT_FOUND: no such directory \(path .*nope\)$/,
  },
  {
    name: 'a directory that is not a WAL',
    args: (r) => ['inspect', join(r, 'empty')],
    line: /^durability: NOT_FOUND: not a WAL directory \(no wal\/ inside\)/,
  },
  {
    name: 'the wal/ directory itself',
    args: (r) => ['dump', join(r, 'db', 'wal')],
    line: /pass its parent directory/,
  },
  {
    name: 'a bad --mode',
    args: (r) => ['verify', join(r, 'db'), '--mode', 'lenient'],
    line: /^durability: INVALID_CONFIG: --mode must be one of strict, best-effort \(actual "lenient"\)$/,
  },
  {
    name: 'a bad --from',
    args: (r) => ['dump', join(r, 'db'), '--from', '-3'],
    line: /^durability: INVALID_CONFIG: --from must be an entry id/,
  },
  {
    name: 'an unknown option',
    args: (r) => ['verify', join(r, 'db'), '--fast'],
    line: /^durability: INVALID_CONFIG: unknown option '--fast'$/,
  },
  {
    name: 'an unknown command',
    args: () => ['fsck'],
    line: /^durability: INVALID_CONFIG: unknown command 'fsck'$/,
  },
  {
    name: 'no directory',
    args: () => ['verify'],
    line: /^durability: INVALID_CONFIG: missing the WAL directory argument <dir>$/,
  },
  {
    name: 'an unknown backend',
    args: (r) => ['verify', r, '--backend', 'ftp'],
    line: /^durability: INVALID_CONFIG: --backend must be one of fs, s3/,
  },
  {
    name: 's3 without a bucket',
    args: () => ['verify', '--backend', 's3', '--endpoint', 'http://127.0.0.1:9'],
    line: /--backend s3 needs --bucket/,
  },
  {
    name: 's3 without credentials',
    args: () => ['verify', 'p', '--backend', 's3', '--endpoint', 'http://127.0.0.1:9', '--bucket', 'b'],
    line: /AWS_ACCESS_KEY_ID/,
    env: NO_CREDENTIALS,
  },
  {
    name: 'an s3 option on fs',
    args: (r) => ['verify', r, '--bucket', 'b'],
    line: /--bucket applies only to --backend s3/,
  },
];

describe.concurrent('user mistakes', () => {
  it.each(mistakes)('$name: one line, exit 64, no stack', async ({ args, line, env }) => {
    const run = await durability(args(root), env);
    expect(run.code).toBe(64);
    expect(run.stdout).toBe('');
    const errLines = run.stderr.split('\n').filter(Boolean);
    expect(errLines).toHaveLength(1);
    expect(errLines[0]).toMatch(line);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('--debug adds the stack; the directory is still left untouched', async () => {
    const run = await durability(['verify', join(root, 'empty'), '--debug']);
    expect(run.code).toBe(64);
    expect(run.stderr).toMatch(/^durability: NOT_FOUND: not a WAL directory/);
    expect(run.stderr).toMatch(/\n\s+at /);
    expect(await readdir(join(root, 'empty'))).toEqual([]);
  });

  it('no command prints the help and exits 64; --help exits 0', async () => {
    const none = await durability([]);
    expect(none.code).toBe(64);
    expect(none.stderr).toContain('Usage: durability');
    const help = await durability(['verify', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--mode <mode>');
  });
});
