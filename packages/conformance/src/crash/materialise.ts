import { crc32, type Directory } from '@durability/core';
import type { CrashState } from './crash-states.js';

/** Writes a post-crash state into an empty backend instance through the public `Directory` API. */
export async function materialise(dir: Directory, state: CrashState): Promise<void> {
  for (const path of state.dirs) await dir.mkdirp(path);
  for (const [path, bytes] of state.files) {
    const writer = await dir.createFile(path);
    if (bytes.length > 0) await writer.write(bytes);
    await writer.close();
  }
}

/** Identifies a state's content (paths, lengths, checksums) for de-duplication. */
export function stateKey(state: CrashState): string {
  const parts: string[] = [];
  for (const [path, bytes] of state.files) parts.push(`${path}:${bytes.length}:${crc32(bytes)}`);
  return parts.join('|');
}
