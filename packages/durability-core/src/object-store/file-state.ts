import { CorruptionError } from '../errors.js';
import type { KeyLayout } from './key-layout.js';
import type { ObjectStore } from './object-store.js';
import { listAll } from './store-requests.js';

/** One slot object of a file's current generation, at byte `start` of the file. */
export interface FilePart {
  slot: number;
  key: string;
  size: number;
  start: number;
}

/** The current generation: the highest one with a head. Its slots are `0 … lastSlot`, none missing. */
export interface CurrentGeneration {
  gen: number;
  /** Every slot in order, empty ones (fences) included. */
  parts: FilePart[];
  length: number;
  lastSlot: number;
}

/** What one LIST of a file's keys says about it. */
export interface FileState {
  path: string;
  /** Every object of the file, all generations (superseded ones are cleaned up by replacements). */
  objects: { key: string; size: number }[];
  /** The highest generation any key uses, 0 when there is none: a new generation takes `maxGen + 1`. */
  maxGen: number;
  /** Absent when the file does not exist (no generation has a head). */
  current: CurrentGeneration | undefined;
}

/**
 * Lists every key of `path` (one request per 1,000 keys) and derives the file's current content. A
 * missing slot inside the current generation is corruption: slots are claimed one after another with
 * conditional PUTs and only superseded generations are ever deleted, so a gap means a key was removed by
 * something other than this library.
 */
export async function readFileState(store: ObjectStore, layout: KeyLayout, path: string): Promise<FileState> {
  const { objects } = await listAll(store, { prefix: layout.filePrefix(path) }, path);
  const generations = new Map<number, Map<number, { key: string; size: number }>>();
  let maxGen = 0;
  for (const object of objects) {
    const parsed = layout.parseFileKey(path, object.key);
    maxGen = Math.max(maxGen, parsed.gen);
    let slots = generations.get(parsed.gen);
    if (!slots) {
      slots = new Map();
      generations.set(parsed.gen, slots);
    }
    slots.set(parsed.kind === 'head' ? 0 : parsed.slot, { key: object.key, size: object.size });
  }
  const listed = objects.map((object) => ({ key: object.key, size: object.size }));
  const headed = [...generations.entries()].filter(([, slots]) => slots.has(0)).map(([gen]) => gen);
  if (headed.length === 0) return { path, objects: listed, maxGen, current: undefined };
  const gen = Math.max(...headed);
  const slots = generations.get(gen)!;
  const lastSlot = Math.max(...slots.keys());
  const parts: FilePart[] = [];
  let start = 0;
  for (let slot = 0; slot <= lastSlot; slot++) {
    const found = slots.get(slot);
    if (!found) {
      throw new CorruptionError('a part object is missing from the middle of the file', {
        path,
        offset: start,
        expected: layout.slotKey(path, gen, slot),
        actual: 'missing',
      });
    }
    parts.push({ slot, key: found.key, size: found.size, start });
    start += found.size;
  }
  return { path, objects: listed, maxGen, current: { gen, parts, length: start, lastSlot } };
}

/** The parts that hold bytes `[offset, offset + length)` of `parts` (binary search, empty parts skipped). */
export function partsInRange(parts: readonly FilePart[], offset: number, length: number): FilePart[] {
  const end = offset + length;
  let low = 0;
  let high = parts.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const part = parts[mid]!;
    if (part.start + part.size <= offset) low = mid + 1;
    else high = mid;
  }
  const out: FilePart[] = [];
  for (let i = low; i < parts.length && parts[i]!.start < end; i++) {
    if (parts[i]!.size > 0) out.push(parts[i]!);
  }
  return out;
}
