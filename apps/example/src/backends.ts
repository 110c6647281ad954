import { FsDirectory } from '@durability/backend-fs';
import { MemoryDirectory } from '@durability/backend-memory';
import { S3ObjectStore } from '@durability/backend-s3';
import { SimDirectory } from '@durability/backend-s3-sim';
import { CHECKPOINT_DIR, type Directory, ObjectStoreDirectory, WAL_DIR } from '@durability/core';
import type { ExampleConfig, S3Settings } from './config.js';
import { type CrashOutcome, crashChildProcess, crashInProcess } from './crash.js';

/** One storage backend as the example uses it. */
export interface ExampleBackend {
  readonly name: ExampleConfig['backend'];
  /** One line for people: what and where. */
  readonly description: string;
  /** What a completed `flush()` means on this backend, in words. */
  readonly flushMeaning: string;
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
    case 's3-sim':
      return simBackend();
    case 's3':
      return s3Backend(config.s3!);
  }
}

function fsBackend(config: ExampleConfig): ExampleBackend {
  const open = () => new FsDirectory(config.dir);
  return {
    name: 'fs',
    description: `fs: local disk at ${config.dir} (fsync of files and parent directories)`,
    flushMeaning: 'handed to the OS (survives kill -9, not power loss)',
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
    flushMeaning: 'visible to readers in this process',
    reset: () => removeRun(dir),
    open: () => dir,
    crashWriter: () => crashInProcess(dir, () => dir.clone()),
  };
}

function simBackend(): ExampleBackend {
  const dir = new SimDirectory();
  return {
    name: 's3-sim',
    flushMeaning: 'one PUT of a part object: on an object store a completed PUT is already durable',
    description:
      's3-sim: an in-process object store with S3 semantics (one PUT per flush; the crash is simulated)',
    reset: () => removeRun(dir),
    open: () => dir,
    crashWriter: async () => {
      const outcome = await crashInProcess(dir, () => new SimDirectory({ store: dir.store.clone() }));
      const { put, total } = dir.store.stats.requests;
      return {
        ...outcome,
        how: `${outcome.how}; the store had served ${total} requests, ${put} of them PUTs`,
      };
    },
  };
}

/** A real S3-compatible server: the child writes through the network, so its SIGKILL is a real crash. */
function s3Backend(s3: S3Settings): ExampleBackend {
  const open = () =>
    new ObjectStoreDirectory(
      new S3ObjectStore({
        endpoint: s3.endpoint,
        region: s3.region,
        bucket: s3.bucket,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
        keyPrefix: s3.prefix,
      }),
    );
  return {
    name: 's3',
    flushMeaning: 'one PUT of a part object: on an object store a completed PUT is already durable',
    description: `s3: ${s3.endpoint}, bucket ${s3.bucket}, prefix ${s3.prefix} (a completed PUT is durable)`,
    reset: () => removeRun(open()),
    open,
    // The child gets the same prefix explicitly, or it would pick a fresh default one.
    crashWriter: () =>
      crashChildProcess({ ...process.env, DURABILITY_BACKEND: 's3', DURABILITY_S3_PREFIX: s3.prefix }, open),
  };
}
