import type { Directory } from '@durability/core';
import { interceptDirectory } from './intercept-directory.js';

/**
 * A directory that remembers the bytes every file should hold, from the calls that wrote them
 * (`createFile`/`appendFile` + `write`, `createExclusive`, `atomicWrite*`, `truncate`, `rename`,
 * `delete`). Comparing `written(path)` with what the backend reads back catches a backend whose reads
 * differ from its writes, independently of any decoder.
 */
export class RecordingDirectory {
  readonly dir: Directory;
  private readonly files = new Map<string, Uint8Array[]>();

  constructor(inner: Directory) {
    this.dir = interceptDirectory(inner, async (call, proceed) => {
      const result = await proceed();
      const [first, second] = call.args;
      switch (call.op) {
        case 'createFile':
          this.files.set(call.path, []);
          break;
        case 'appendFile':
          if (!this.files.has(call.path)) this.files.set(call.path, []);
          break;
        case 'writer.write':
        case 'writer.writeAndSync':
          this.files.get(call.path)?.push(Uint8Array.from(first as Uint8Array));
          break;
        case 'createExclusive':
        case 'atomicWrite':
        case 'atomicWriteDurable':
          this.files.set(call.path, [Uint8Array.from(second as Uint8Array)]);
          break;
        case 'truncate':
          this.files.set(call.path, [this.written(call.path).slice(0, second as number)]);
          break;
        case 'rename':
        case 'atomicRenameDurable':
          this.files.set(second as string, this.files.get(call.path) ?? []);
          this.files.delete(call.path);
          break;
        case 'delete':
          for (const path of [...this.files.keys()]) {
            if (path === call.path || path.startsWith(`${call.path}/`)) this.files.delete(path);
          }
          break;
        default:
          break;
      }
      return result;
    });
  }

  /** The bytes the writes put in `path` (empty when nothing was written there). */
  written(path: string): Uint8Array {
    const chunks = this.files.get(path) ?? [];
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const chunk of chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }
}
