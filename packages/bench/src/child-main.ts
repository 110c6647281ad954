import { join } from 'node:path';
import { FsDirectory } from '@durability/backend-fs';
import { WalReader, WalWriter } from '@durability/core';
import type { ChildResult, ChildTask } from './child.js';
import { levelRead } from './peers/level.js';
import { sqliteRead } from './peers/sqlite.js';
import { RAW_LOG_FILE, rawReplay, rawScan } from './raw.js';

/** Child-process entry: runs one `ChildTask` and prints a `ChildResult` as JSON. */
async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '{}') as ChildTask;
  let records = 0;
  let bytes: number | undefined;
  const start = performance.now();
  switch (task.kind) {
    case 'ours-replay-best-effort':
    case 'ours-replay-strict': {
      const reader = new WalReader(new FsDirectory(task.path, { io: task.io ?? 'async' }));
      const mode = task.kind === 'ours-replay-strict' ? 'strict' : 'best-effort';
      const report = await reader.replayEach(
        () => {
          records++;
        },
        { mode },
      );
      if (report.entriesReplayed !== records) throw new Error('replay count mismatch');
      break;
    }
    case 'ours-resume': {
      const writer = await WalWriter.resume(new FsDirectory(task.path, { io: task.io ?? 'async' }));
      records = writer.resumeReport?.entriesReplayed ?? 0;
      await writer.close();
      break;
    }
    case 'raw-replay':
      records = rawReplay(join(task.path, RAW_LOG_FILE), () => undefined);
      break;
    case 'raw-validate':
      records = rawReplay(join(task.path, RAW_LOG_FILE));
      break;
    case 'raw-scan':
      bytes = rawScan(join(task.path, 'wal'));
      break;
    case 'sqlite-read':
      records = sqliteRead(task.path);
      break;
    case 'level-read':
      records = await levelRead(task.path);
      break;
    default:
      throw new Error(`unknown task ${(task as { kind: string }).kind}`);
  }
  const ms = performance.now() - start;
  const result: ChildResult = { records, ms, maxRssBytes: process.resourceUsage().maxRSS * 1024, bytes };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
