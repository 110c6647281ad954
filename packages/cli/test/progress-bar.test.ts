import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DelayedProgressBar } from '../src/output/progress-bar.js';

/** A stand-in terminal: cli-progress only draws on a TTY-like stream. */
function fakeTerminal(): { stream: NodeJS.WriteStream; text: () => string } {
  let written = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      written += String(chunk);
      done();
    },
  }) as unknown as NodeJS.WriteStream & Record<string, unknown>;
  Object.assign(stream, {
    isTTY: true,
    columns: 100,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  });
  return { stream, text: () => written };
}

describe('DelayedProgressBar', () => {
  it('draws nothing for a quick scan (before the delay) or a small one', () => {
    const quick = fakeTerminal();
    const bar = new DelayedProgressBar(quick.stream, 60_000, 0);
    bar.start(100 * 1024 * 1024);
    bar.update(50 * 1024 * 1024);
    bar.stop();
    expect(quick.text()).toBe('');

    const small = fakeTerminal();
    const smallBar = new DelayedProgressBar(small.stream, 0, 1024 * 1024);
    smallBar.start(1000);
    smallBar.update(500);
    smallBar.stop();
    expect(small.text()).toBe('');
  });

  it('draws once the scan outlasts the delay on a large WAL', () => {
    const terminal = fakeTerminal();
    const bar = new DelayedProgressBar(terminal.stream, 0, 0);
    bar.start(8 * 1024 * 1024);
    bar.update(4 * 1024 * 1024);
    bar.stop();
    expect(terminal.text()).toContain('scanning');
    expect(terminal.text()).toContain('4.0/8.0 MiB');
  });
});
