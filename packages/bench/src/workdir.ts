import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Scratch space for one run: a fresh directory under the OS temp dir (`BENCH_DIR` overrides the parent).
 * Every measurement gets its own subdirectory; `dispose` removes everything.
 */
export class WorkDir {
  readonly root: string;
  private counter = 0;

  constructor(parent = process.env.BENCH_DIR ?? tmpdir()) {
    mkdirSync(parent, { recursive: true });
    this.root = mkdtempSync(join(parent, 'durability-bench-'));
  }

  /** A new, empty directory named after `label`. */
  fresh(label: string): string {
    const path = join(this.root, `${String(++this.counter).padStart(3, '0')}-${label}`);
    mkdirSync(path, { recursive: true });
    return path;
  }

  /** `measure` as a run in a fresh directory named after `label`, removed afterwards. */
  inFresh<T>(label: string, measure: (dir: string) => Promise<T> | T): () => Promise<T> {
    return async () => {
      const dir = this.fresh(label);
      try {
        return await measure(dir);
      } finally {
        this.remove(dir);
      }
    };
  }

  remove(path: string): void {
    rmSync(path, { recursive: true, force: true });
  }

  dispose(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}
