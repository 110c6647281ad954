import type { WalEntry } from '@durability/core';

// The segment-index workload and its reference model are core's test support (one source of truth).
export {
  emptyState,
  prng,
  ReferenceModel,
  SegmentWorkload,
  summary,
} from '../../../durability-core/test/support/segment-workload.js';

export const marker = (path: string, lastEntryId: number): WalEntry => ({
  type: 'Checkpoint',
  checkpointPath: path,
  lastEntryId,
});

/** A payload whose bytes name its sequence number, so a recovered stream can be checked entry by entry. */
export function numbered(n: number, width = 24): Uint8Array {
  return new TextEncoder().encode(`entry-${String(n).padStart(width - 6, '0')}`);
}

export function numberOf(payload: Uint8Array): number {
  return Number(new TextDecoder().decode(payload).slice('entry-'.length));
}
