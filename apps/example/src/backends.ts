import { FsDirectory } from '@durability/backend-fs';
import { MemoryDirectory } from '@durability/backend-memory';
import { CHECKPOINT_DIR, type Directory, WAL_DIR } from '@durability/core';
import type { ExampleConfig } from './config.js';
import { type CrashOutcome, crashChildProcess, crashInProcess } from './crash.js';

/** One storage backend as the example uses it. */
export interface ExampleBackend {
  readonly name: ExampleConfig['backend'];
  /** One line for people: what and where. */
  readonly description: string;
  /** Whether a completed sync survives power loss on this backend (`capabilities.durableSync`). */
  readonly durable: boolean;
  /** Removes what an earlier run left (the WAL and the checkpoints), nothing else. */
  reset(): Promise<void>;
  /** The storage, opened as a new process would open it. */
  open(): Directory;
  /** Crashes a writer mid-write: a real SIGKILL where the storage outlives processes, else simulated. */
  crashWriter(): Promise<CrashOutcome>;
}

async function removeRun(dir: Directory): Promise<void> {
  await dir.delete(WAL_DIR);
  await dir.delete(CHECKPOINT_DIR);
}

/** The backend the configuration names. */
export function openBackend(config: ExampleConfig): ExampleBackend {
  switch (config.backend) {
    case 'fs':
      return fsBackend(config);
    case 'memory':
      return memoryBackend();
    default:
      throw new Error(`backend ${config.backend} is not wired yet`);
  }
}

function fsBackend(config: ExampleConfig): ExampleBackend {
  const open = () => new FsDirectory(config.dir);
  return {
    name: 'fs',
    description: `fs: local disk at ${config.dir} (fsync of files and parent directories)`,
    durable: true,
    reset: () => removeRun(open()),
    open,
    crashWriter: () =>
      crashChildProcess({ ...process.env, DURABILITY_BACKEND: 'fs', DURABILITY_DIR: config.dir }, open),
  };
}

function memoryBackend(): ExampleBackend {
  const dir = new MemoryDirectory();
  return {
    name: 'memory',
    description: 'memory: in this process only (nothing outlives it; the crash is simulated)',
    durable: false,
    reset: () => removeRun(dir),
    open: () => dir,
    crashWriter: () => crashInProcess(dir, () => dir.clone()),
  };
}
