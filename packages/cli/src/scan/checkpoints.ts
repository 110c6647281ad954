import {
  bytesCodec,
  CHECKPOINT_DIR,
  CheckpointFile,
  type Directory,
  joinPath,
  NotFoundError,
  parseCheckpointFileName,
} from '@durability/core';
import { type ErrorSummary, summarizeError } from '../error-summary.js';
import { isDamage } from '../exit-codes.js';

/**
 * Checkpoint files, read through core's `CheckpointFile` with the raw-bytes codec: the header CRC,
 * magic, version, caps, exact length and payload CRC are all verified (FORMAT.md § Checkpoint, read
 * decision table) without assuming which codec wrote the payload. The read holds one payload in memory
 * (≤ 256 MiB, the format cap, checked before allocation by core).
 */

export interface CheckpointCheck {
  path: string;
  /** `ok`: verified; `missing`: no such file; `corrupt`: it fails verification; `mismatch`: valid, but
   * its `last_applied_id` is not what its name or marker says. */
  status: 'ok' | 'missing' | 'corrupt' | 'mismatch';
  /** File length in bytes (when it exists). */
  bytes?: number;
  lastAppliedId?: number;
  payloadBytes?: number;
  /** Why it is not `ok`. */
  error?: ErrorSummary;
}

/** Reads and verifies `path`; `expectedLastAppliedId`, when given, must match the header. */
export async function checkCheckpoint(
  dir: Directory,
  path: string,
  expectedLastAppliedId?: number,
): Promise<CheckpointCheck> {
  const file = new CheckpointFile<Uint8Array>(dir, { codec: bytesCodec });
  let bytes: number;
  try {
    bytes = await dir.size(path);
  } catch (error) {
    if (NotFoundError.is(error)) {
      return { path, status: 'missing', error: summarizeError(error) };
    }
    throw error;
  }
  try {
    const contents = await file.read(path);
    const check: CheckpointCheck = {
      path,
      status: 'ok',
      bytes,
      lastAppliedId: contents.lastAppliedId,
      payloadBytes: contents.payloadBytes,
    };
    if (expectedLastAppliedId !== undefined && contents.lastAppliedId !== expectedLastAppliedId) {
      check.status = 'mismatch';
      check.error = {
        code: 'CORRUPTION',
        message: `checkpoint last_applied_id is ${contents.lastAppliedId}, expected ${expectedLastAppliedId}`,
        path,
        offset: 8,
        expected: String(expectedLastAppliedId),
        actual: String(contents.lastAppliedId),
      };
    }
    return check;
  } catch (error) {
    if (NotFoundError.is(error)) return { path, status: 'missing', error: summarizeError(error) };
    if (!isDamage(error)) throw error;
    return { path, status: 'corrupt', bytes, error: summarizeError(error) };
  }
}

/** A file in the checkpoint directory. */
export interface CheckpointListing extends CheckpointCheck {
  /** The `last_applied_id` the conventional name (`checkpoint_<20 digits>.vckp`) states. */
  nameLastAppliedId?: number;
}

/**
 * Every conventionally named file in `checkpoints/` (`checkpoint_<20 digits>.vckp`), verified, with the
 * name's id checked against the header's. Other names (a publisher's temp file after a crash) are listed
 * with their size only, status `ok` and no id. Sorted by name, hence by id.
 */
export async function listCheckpoints(dir: Directory): Promise<CheckpointListing[]> {
  const listings: CheckpointListing[] = [];
  for (const name of await dir.list(CHECKPOINT_DIR)) {
    const path = joinPath(CHECKPOINT_DIR, name);
    const nameLastAppliedId = parseCheckpointFileName(name);
    if (nameLastAppliedId === undefined) {
      const bytes = await sizeOrUndefined(dir, path);
      if (bytes !== undefined) listings.push({ path, status: 'ok', bytes });
      continue;
    }
    listings.push({ ...(await checkCheckpoint(dir, path, nameLastAppliedId)), nameLastAppliedId });
  }
  return listings;
}

async function sizeOrUndefined(dir: Directory, path: string): Promise<number | undefined> {
  try {
    return await dir.size(path);
  } catch {
    // A sub-directory, or a file removed since the listing: not a checkpoint either way.
    return undefined;
  }
}
