import { SingleBar } from 'cli-progress';
import type { ProgressSink } from '../progress.js';

/**
 * A terminal progress bar on stderr (cli-progress) that appears only when the scan is still running
 * after `delayMs` and has more than `minBytes` to read, so quick scans print nothing extra. The CLI
 * creates it only when stderr is a TTY (never in pipes, CI logs or tests).
 */
export class DelayedProgressBar implements ProgressSink {
  private bar: SingleBar | undefined;
  private startedAt = 0;
  private total = 0;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly delayMs = 300,
    private readonly minBytes = 1024 * 1024,
  ) {}

  start(totalBytes: number): void {
    this.startedAt = Date.now();
    this.total = Math.max(totalBytes, 1);
  }

  update(bytesRead: number): void {
    if (!this.bar) {
      if (this.total < this.minBytes || Date.now() - this.startedAt < this.delayMs) return;
      this.bar = new SingleBar({
        stream: this.stream,
        format: 'scanning {bar} {percentage}% | {mib}/{totalMib} MiB | ETA {eta}s',
        hideCursor: true,
        clearOnComplete: true,
        fps: 10,
      });
      this.bar.start(this.total, 0, { mib: '0.0', totalMib: mib(this.total) });
    }
    // Frame bytes only: segment headers are not counted, so stay below 100% until `stop`.
    this.bar.update(Math.min(bytesRead, this.total), { mib: mib(bytesRead) });
  }

  stop(): void {
    this.bar?.stop();
    this.bar = undefined;
  }
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
