/**
 * The conventional checkpoint file names (any safe path outside `wal/` works; these sort by id):
 * `checkpoints/checkpoint_<last_applied_id, 20 digits>.vckp`, e.g.
 * `checkpoints/checkpoint_00000000000000000042.vckp` covers entries 1..42. Zero-padding to 20 digits
 * (the width of the largest u64) makes lexical order numeric order, also on object stores.
 */

/** The directory conventional checkpoint files live in. */
export const CHECKPOINT_DIR = 'checkpoints';

const NAME = /^checkpoint_(\d{20})\.vckp$/;

/** `checkpoint_<20-digit id>.vckp`. */
export function checkpointFileName(lastAppliedId: number): string {
  if (!Number.isSafeInteger(lastAppliedId) || lastAppliedId < 0) {
    throw new RangeError(`lastAppliedId must be a non-negative safe integer, got ${lastAppliedId}`);
  }
  return `checkpoint_${String(lastAppliedId).padStart(20, '0')}.vckp`;
}

/** `checkpoints/checkpoint_<20-digit id>.vckp`: where `CheckpointPublisher` users conventionally publish. */
export function checkpointPathFor(lastAppliedId: number): string {
  return `${CHECKPOINT_DIR}/${checkpointFileName(lastAppliedId)}`;
}

/** The `last_applied_id` a conventional file name denotes, or `undefined` for any other name. */
export function parseCheckpointFileName(name: string): number | undefined {
  const match = NAME.exec(name);
  if (!match) return undefined;
  const id = Number(match[1]);
  return Number.isSafeInteger(id) ? id : undefined;
}
