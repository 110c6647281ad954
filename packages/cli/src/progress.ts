/**
 * How a command reports scan progress. Commands call `start` once with the bytes they expect to read
 * (the segments' total size), `update` as they read, and `stop` once (also on failure). The CLI plugs a
 * terminal progress bar in here; library callers may pass their own or nothing.
 */
export interface ProgressSink {
  start(totalBytes: number): void;
  update(bytesRead: number): void;
  stop(): void;
}

/** Runs `fn` between `sink.start(total)` and `sink.stop()`. */
export async function withProgress<T>(
  sink: ProgressSink | undefined,
  totalBytes: number,
  fn: (update: (bytesRead: number) => void) => Promise<T>,
): Promise<T> {
  if (!sink) return fn(() => undefined);
  sink.start(totalBytes);
  try {
    return await fn((bytesRead) => sink.update(bytesRead));
  } finally {
    sink.stop();
  }
}
