import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { FsDirectory, type FsIoMode } from '@durability/backend-fs';
import { MemoryDirectory } from '@durability/backend-memory';
import { type ChildResult, type ChildTask, runChild } from './child.js';
import { type BenchConfig, benchConfig, CONCURRENCY_LEVELS } from './config.js';
import { describeMachine, machineLines } from './machine.js';
import {
  countingFsDirectory,
  oursBatch,
  oursBuffered,
  oursCheckpoint,
  oursDurable,
  writeOurWal,
} from './ours.js';
import { levelLoad, levelWrite } from './peers/level.js';
import { sqliteInsert, sqliteLoad } from './peers/sqlite.js';
import {
  rawDurable,
  rawDurableAsync,
  rawFramedLog,
  rawFramedLogAwaited,
  rawPublish,
  rawWriteCeiling,
  writeRawLog,
} from './raw.js';
import { formatNumber, type Row, ratio, renderReport, renderText, targetCounts } from './report.js';
import { s3SimRows } from './s3-sim.js';
import { interleaved, mapValues, quantile, repeat, roundRobin, type Sample, summarize } from './stats.js';
import { WorkDir } from './workdir.js';

/**
 * `pnpm bench`: every row of issue 8 in one run, side by side with the raw limits and the peers. See
 * BENCHMARKS.md (written by a full run) for the table and how to read it.
 *
 * Flags: `--quick` (or `BENCH_QUICK=1`) for a < 2 min development run; `--only=1,4` to run some sections;
 * `--write` to write BENCHMARKS.md from a quick run too; `BENCH_DIR` for the scratch directory's parent.
 */

const args = process.argv.slice(2);
const quick = args.includes('--quick') || process.env.BENCH_QUICK === '1';
const only = args
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const writeReport = !quick || args.includes('--write') || process.env.BENCH_WRITE === '1';
const config = benchConfig(quick);
const work = new WorkDir();
const rows: Row[] = [];
const log = (line: string) => process.stderr.write(`${line}\n`);

function enabled(section: string): boolean {
  return !only || only.includes(section);
}

function add(row: Row): void {
  rows.push(row);
  const peer = row.peers?.length ? ` | peer ${formatNumber(row.peers[0]!.sample.median)}` : '';
  const raw = row.raw ? ` | raw ${formatNumber(row.raw.sample.median)}` : '';
  log(`  ${row.section} ${row.name}: ${formatNumber(row.ours.median)} ${row.unit}${raw}${peer}`);
}

type Measure = (dir: string) => Promise<number> | number;

/**
 * Runs `measure` `reps` times, each in a fresh directory that is removed afterwards, after one unrecorded
 * warm-up run (so that every contender is measured with its code already optimized by the JIT).
 */
function inFreshDir(label: string, reps: number, measure: Measure) {
  return repeat(reps, work.inFresh(label, measure), 1);
}

/**
 * `inFreshDir` for several contenders at once, run round-robin repetition by repetition (`interleaved`):
 * the comparisons a target depends on are measured under the same conditions.
 */
function inFreshDirsInterleaved<K extends string>(
  reps: number,
  contenders: Record<K, Measure>,
): Promise<Record<K, Sample>> {
  const runs = mapValues(contenders, (measure, label) => work.inFresh(label, measure));
  return interleaved(reps, runs, 1);
}

/** Child-process measurements (see child.ts), `reps` of each task, run round-robin. */
function childrenInterleaved<K extends string>(
  reps: number,
  tasks: Record<K, ChildTask>,
): Promise<Record<K, ChildResult[]>> {
  return roundRobin(
    reps,
    mapValues(tasks, (task) => () => runChild<ChildResult>(task)),
  );
}

async function children(task: ChildTask, reps: number): Promise<ChildResult[]> {
  return (await childrenInterleaved(reps, { task })).task;
}

const rate = (results: ChildResult[]) => summarize(results.map((r) => (r.records / r.ms) * 1000));
const rssMiB = (results: ChildResult[]) => summarize(results.map((r) => r.maxRssBytes / 2 ** 20));
const msOf = (results: ChildResult[]) => summarize(results.map((r) => r.ms));

async function section1(c: BenchConfig): Promise<void> {
  log('1. buffered append');
  const { ours, awaited, raw, ours1m, awaited1m } = await inFreshDirsInterleaved(c.appendReps, {
    ours: (d) => oursBuffered(new FsDirectory(d), c.appendRecords),
    awaited: (d) => rawFramedLogAwaited(d, c.appendRecords),
    raw: (d) => rawFramedLog(d, c.appendRecords),
    // Not the target's row: the same pair with a 1 MiB buffer instead of 64 KiB (ours: `bufferBytes`).
    ours1m: (d) => oursBuffered(new FsDirectory(d), c.appendRecords, { bufferBytes: 1024 * 1024 }),
    awaited1m: (d) => rawFramedLogAwaited(d, c.appendRecords, 1024 * 1024),
  });
  const ceiling = await inFreshDir('raw-ceiling', c.reps, (d) => rawWriteCeiling(d, c.appendRecords));
  const sqlite = await inFreshDir('sqlite-normal-1', c.reps, (d) =>
    sqliteInsert(d, 'NORMAL', c.peerBufferedRecords, 1),
  );
  const level = await inFreshDir('level-nosync', c.reps, (d) =>
    levelWrite(d, c.peerBufferedRecords, { sync: false }),
  );
  add({
    section: '1',
    name: 'buffered append (await each, no sync)',
    unit: 'rec/s',
    higherIsBetter: true,
    ours,
    raw: { label: 'raw framed log, await per record', sample: awaited },
    peers: [
      { label: 'sqlite NORMAL 1/call', sample: sqlite },
      { label: 'level sync:false', sample: level },
    ],
    target: {
      text: '≥ 1M/s and ≥ 0.9× raw',
      met: ours.median >= 1e6 && ours.median >= 0.9 * awaited.median,
    },
    note: `the raw log written the same way: each record awaited (an \`await\` of a resolved promise, the floor of any promise API awaited one record at a time). Without the await: ${formatNumber(raw.median)} rec/s, ours ÷ that = ${(ours.median / raw.median).toFixed(2)}×. With 1 MiB buffers instead of 64 KiB (\`bufferBytes: 1 MiB\`; the raw log with 1 MiB blocks): ours ${formatNumber(ours1m.median)} rec/s, raw ${formatNumber(awaited1m.median)}, ${(ours1m.median / awaited1m.median).toFixed(2)}×; raw writeSync ceiling (pre-framed 64 KiB blocks, no encoding): ${formatNumber(ceiling.median)} rec/s`,
  });
  const batch = await inFreshDir('ours-batch', c.reps, (d) =>
    oursBatch(new FsDirectory(d), c.appendRecords, 64),
  );
  const sqlite64 = await inFreshDir('sqlite-normal-64', c.reps, (d) =>
    sqliteInsert(d, 'NORMAL', c.peerBufferedRecords, 64),
  );
  const level64 = await inFreshDir('level-batch64', c.reps, (d) =>
    levelWrite(d, c.peerBufferedRecords, { sync: false, batch: 64 }),
  );
  add({
    section: '1',
    name: 'appendBatch(64), no sync',
    unit: 'rec/s',
    higherIsBetter: true,
    ours: batch,
    raw: { label: 'raw framed log', sample: raw },
    peers: [
      { label: 'sqlite NORMAL 64/tx', sample: sqlite64 },
      { label: 'level batch 64 sync:false', sample: level64 },
    ],
  });
}

/** How the fs backend makes its calls: the default (thread pool) and `io: 'blocking'` (calling thread). */
const IO_MODES = ['async', 'blocking'] as const satisfies readonly FsIoMode[];
const ioLabel = (io: FsIoMode) => (io === 'async' ? '' : `, io: '${io}'`);
const IO_NOTE = {
  async:
    "fs backend default (`io: 'async'`: writes and fdatasync on the libuv thread pool, the event loop stays free)",
  blocking:
    "fs backend `io: 'blocking'` (writeSync/fdatasyncSync on the calling thread, like the raw loop and SQLite; blocks the event loop for each call)",
} as const;

/** The durable raw loops through fs/promises, as a note: what an asynchronous library can reach. */
function rawAsyncNote(ours: Sample, twoTrips: Sample, oneTrip: Sample): string {
  const vs = (raw: Sample) =>
    `${formatNumber(raw.median)} rec/s, ours ÷ that = ${(ours.median / raw.median).toFixed(2)}×`;
  return `raw through fs/promises: write + datasync (two thread-pool round trips) ${vs(twoTrips)}; one write on an O_DSYNC descriptor (one round trip) ${vs(oneTrip)}`;
}

async function section2(c: BenchConfig): Promise<void> {
  log('2. durable single writer');
  const latencies = {
    async: [] as number[],
    blocking: [] as number[],
    raw: [] as number[],
    sqlite: [] as number[],
  };
  const { async, blocking, raw, rawAsync, rawAsyncDsync, sqlite } = await inFreshDirsInterleaved(c.reps, {
    async: (d) => oursDurable(new FsDirectory(d), c.durableRecords, 1, latencies.async),
    blocking: (d) =>
      oursDurable(new FsDirectory(d, { io: 'blocking' }), c.durableRecords, 1, latencies.blocking),
    raw: (d) => rawDurable(d, c.durableRecords, 1, latencies.raw),
    rawAsync: (d) => rawDurableAsync(d, c.durableRecords, 1),
    rawAsyncDsync: (d) => rawDurableAsync(d, c.durableRecords, 1, 'dsync'),
    sqlite: (d) => sqliteInsert(d, 'FULL', c.durableRecords, 1, latencies.sqlite),
  });
  const ours = { async, blocking };
  const level = await inFreshDir('level-sync', c.reps, (d) =>
    levelWrite(d, c.durableRecords, { sync: true }),
  );
  for (const io of IO_MODES) {
    add({
      section: '2',
      name: `durable single writer (append + flushAndSync)${ioLabel(io)}`,
      unit: 'rec/s',
      higherIsBetter: true,
      ours: ours[io],
      raw: { label: 'raw write+fdatasync', sample: raw },
      peers: [
        { label: 'sqlite FULL 1/tx', sample: sqlite },
        { label: 'level sync:true', sample: level },
      ],
      target: { text: '≥ 0.9× raw', met: ours[io].median >= 0.9 * raw.median },
      note: `${IO_NOTE[io]}; ${rawAsyncNote(ours[io], rawAsync, rawAsyncDsync)}`,
    });
  }
  for (const io of IO_MODES) {
    for (const [p, name] of [
      [0.5, 'p50'],
      [0.99, 'p99'],
    ] as const) {
      const one = (values: number[]): Sample => summarize([quantile(values, p)]);
      add({
        section: '2',
        name: `durable single writer latency ${name}${ioLabel(io)}`,
        unit: 'ms',
        higherIsBetter: false,
        ours: one(latencies[io]),
        raw: { label: 'raw write+fdatasync', sample: one(latencies.raw) },
        peers: [{ label: 'sqlite FULL 1/tx', sample: one(latencies.sqlite) }],
        note: `${name} over all ${c.reps} repetitions`,
      });
    }
  }
}

async function section3(c: BenchConfig): Promise<void> {
  log('3. concurrent durable appenders (group commit)');
  for (const n of CONCURRENCY_LEVELS) {
    const records = c.concurrentRecords[n]!;
    const syncCounts = { async: [] as number[], blocking: [] as number[] };
    const measureOurs = (io: FsIoMode) => async (d: string) => {
      const counting = countingFsDirectory(d, io);
      const r = await oursDurable(counting.dir, records, n);
      syncCounts[io].push(counting.syncs());
      return r;
    };
    const { async, blocking, raw, rawAsync, rawAsyncDsync, sqlite } = await inFreshDirsInterleaved(c.reps, {
      async: measureOurs('async'),
      blocking: measureOurs('blocking'),
      raw: (d) => rawDurable(d, records, n),
      rawAsync: (d) => rawDurableAsync(d, records, n),
      rawAsyncDsync: (d) => rawDurableAsync(d, records, n, 'dsync'),
      sqlite: (d) => sqliteInsert(d, 'FULL', records, n),
    });
    const ours = { async, blocking };
    const level = await inFreshDir(`level-sync-c${n}`, c.reps, (d) =>
      levelWrite(d, records, { sync: true, concurrency: n }),
    );
    for (const io of IO_MODES) {
      const syncs = summarize(syncCounts[io]);
      const row: Row = {
        section: '3',
        name: `${n} concurrent durable appenders${ioLabel(io)}`,
        unit: 'rec/s',
        higherIsBetter: true,
        ours: ours[io],
        raw: { label: `raw ${n}-per-fdatasync`, sample: raw },
        peers: [
          { label: `sqlite FULL ${n}/tx`, sample: sqlite },
          { label: `level sync:true ×${n}`, sample: level },
        ],
        note: `${IO_NOTE[io]}; ${records} durable appends per repetition; syncs issued (fdatasync/fsync/O_DSYNC writes, incl. segment creation and lock): ${formatNumber(syncs.median)} (${formatNumber((syncs.median / records) * 1000)} per 1,000 appends; the raw loop: ${formatNumber(1000 / n)}); ${rawAsyncNote(ours[io], rawAsync, rawAsyncDsync)}`,
      };
      if (n === 64) {
        const vsSqlite = ours[io].median / sqlite.median;
        row.target = {
          text: `≥ 0.8× raw and ≥ 1.2× sqlite FULL 64/tx (${vsSqlite.toFixed(2)}×)`,
          met: ours[io].median >= 0.8 * raw.median && vsSqlite >= 1.2,
        };
      }
      add(row);
    }
  }
}

async function section4(c: BenchConfig): Promise<void> {
  log('4. replay');
  const n = c.replayRecords;
  const dirs = {
    ours: work.fresh('replay-ours'),
    raw: work.fresh('replay-raw'),
    sqlite: work.fresh('replay-sqlite'),
    level: work.fresh('replay-level'),
  };
  await writeOurWal(new FsDirectory(dirs.ours), n);
  writeRawLog(dirs.raw, n);
  sqliteLoad(dirs.sqlite, n);
  await levelLoad(dirs.level, n);
  // Replays in cold child processes vary by ±10% from one to the next: the rows a target depends on get
  // more repetitions, run round-robin.
  const { best, strict, bestBlocking, strictBlocking, raw } = await childrenInterleaved(c.replayReps, {
    best: { kind: 'ours-replay-best-effort', path: dirs.ours },
    strict: { kind: 'ours-replay-strict', path: dirs.ours },
    bestBlocking: { kind: 'ours-replay-best-effort', path: dirs.ours, io: 'blocking' },
    strictBlocking: { kind: 'ours-replay-strict', path: dirs.ours, io: 'blocking' },
    raw: { kind: 'raw-replay', path: dirs.raw },
  });
  const sqlite = await children({ kind: 'sqlite-read', path: dirs.sqlite }, c.reps);
  const level = await children({ kind: 'level-read', path: dirs.level }, c.reps);
  const resumeSmall = await children({ kind: 'ours-resume', path: dirs.ours }, c.reps);
  const validateSmall = await children({ kind: 'raw-validate', path: dirs.raw }, c.reps);
  for (const d of Object.values(dirs)) work.remove(d);
  const peers = [
    { label: 'sqlite read back', sample: rate(sqlite) },
    { label: 'level iterator', sample: rate(level) },
  ];
  const label = `${formatNumber(n)} records`;
  for (const [mode, io, results] of [
    ['best-effort', 'async', best],
    ['strict', 'async', strict],
    ['best-effort', 'blocking', bestBlocking],
    ['strict', 'blocking', strictBlocking],
  ] as const) {
    const ours = rate(results);
    const row: Row = {
      section: '4',
      name: `replayEach ${mode}, ${label}${ioLabel(io)}`,
      unit: 'rec/s',
      higherIsBetter: true,
      ours,
      raw: { label: 'raw framed log replay', sample: rate(raw) },
      peers,
      note: `${IO_NOTE[io]}; the raw replay reads with readSync`,
    };
    const bestPeerRate = Math.max(...peers.map((p) => p.sample.median));
    row.target = {
      text: '≥ 1.0× raw speed and ≥ 1.5× best peer',
      met: ratio(row, row.raw)! >= 1.0 && ours.median >= 1.5 * bestPeerRate,
    };
    add(row);
  }
  const rssSmall = rssMiB(best);
  add({
    section: '4',
    name: `replay peak RSS, ${label}`,
    unit: 'MiB',
    higherIsBetter: false,
    ours: rssSmall,
    raw: { label: 'raw framed log replay', sample: rssMiB(raw) },
    peers: [
      { label: 'sqlite read back', sample: rssMiB(sqlite) },
      { label: 'level iterator', sample: rssMiB(level) },
    ],
    note: 'peak RSS (maxRSS) of a child process that only replays, best-effort mode',
  });

  add({
    section: '5',
    name: `resume (open + repair scan), ${label}`,
    unit: 'rec/s',
    higherIsBetter: true,
    ours: rate(resumeSmall),
    raw: { label: 'raw framed log validation', sample: rate(validateSmall) },
    note: 'resume checks every frame (header CRC, frame CRC, ids) without decoding; the raw row walks the raw framed log checking each zlib.crc32, without decoding',
  });

  const large = c.largeReplayRecords;
  const largeDir = work.fresh('replay-large');
  log(`  writing a ${formatNumber(large)}-record WAL`);
  await writeOurWal(new FsDirectory(largeDir), large);
  const walBytes = directoryBytes(largeDir);
  const bigBest = await children({ kind: 'ours-replay-best-effort', path: largeDir }, c.largeReps);
  const bigStrict = await children({ kind: 'ours-replay-strict', path: largeDir }, c.largeReps);
  const rssLarge = rssMiB(bigBest);
  const growth = rssLarge.median / rssSmall.median;
  add({
    section: '4',
    name: `replayEach best-effort, ${formatNumber(large)} records`,
    unit: 'rec/s',
    higherIsBetter: true,
    ours: rate(bigBest),
    note: `strict: ${formatNumber(rate(bigStrict).median)} rec/s; WAL ${(walBytes / 2 ** 30).toFixed(2)} GiB`,
  });
  add({
    section: '4',
    name: `replay peak RSS, ${formatNumber(large)} records`,
    unit: 'MiB',
    higherIsBetter: false,
    ours: rssLarge,
    target: { text: `< 1.2× RSS at ${formatNumber(n)} (${growth.toFixed(2)}×)`, met: growth < 1.2 },
    note: `strict mode peak RSS ${formatNumber(rssMiB(bigStrict).median)} MiB`,
  });

  log('5. resume of the large WAL');
  const resume = await children({ kind: 'ours-resume', path: largeDir }, c.reps);
  const scan = await children({ kind: 'raw-scan', path: largeDir }, c.reps);
  add({
    section: '5',
    name: `resume (open + repair scan), ${(walBytes / 2 ** 30).toFixed(2)} GiB WAL`,
    unit: 'ms',
    higherIsBetter: false,
    ours: msOf(resume),
    raw: { label: 'raw read + zlib.crc32', sample: msOf(scan) },
    note: `${formatNumber(large)} entries; both read from the page cache (the WAL was just written)`,
  });
  work.remove(largeDir);
}

async function section5(c: BenchConfig): Promise<void> {
  log('5. checkpoint write + publish');
  const ours = new Map<FsIoMode, { all: number[]; perRep: number[]; syncsPerPublish: number }>();
  let checkpointBytes = 0;
  for (const io of IO_MODES) {
    const all: number[] = [];
    const perRep: number[] = [];
    let syncsPerPublish = 0;
    for (let rep = 0; rep < c.reps; rep++) {
      const d = work.fresh('checkpoint');
      const counting = countingFsDirectory(d, io);
      const { latencies } = await oursCheckpoint(counting.dir, c.publishes, c.checkpointSegments, 100);
      syncsPerPublish = counting.syncs() / c.publishes;
      checkpointBytes = directoryBytes(`${d}/checkpoints`);
      all.push(...latencies);
      perRep.push(quantile(latencies, 0.5));
      work.remove(d);
    }
    ours.set(io, { all, perRep, syncsPerPublish });
  }
  const raw: number[] = [];
  for (let rep = 0; rep < c.reps; rep++) {
    const d = work.fresh('raw-publish');
    raw.push(...rawPublish(d, checkpointBytes, c.publishes));
    work.remove(d);
  }
  for (const [io, { all, perRep, syncsPerPublish }] of ours) {
    add({
      section: '5',
      name: `checkpoint publish latency p50 (${c.checkpointSegments}-segment state)${ioLabel(io)}`,
      unit: 'ms',
      higherIsBetter: false,
      ours: summarize(perRep),
      raw: { label: 'raw tmp+fsync+rename+dirsync+marker', sample: summarize([quantile(raw, 0.5)]) },
      note: `checkpoint ${formatNumber(checkpointBytes)} bytes; ${syncsPerPublish.toFixed(1)} syncs per publish (raw: 3); p99 ours ${quantile(all, 0.99).toFixed(2)} ms, raw ${quantile(raw, 0.99).toFixed(2)} ms; each publish: flushAndSync, durable checkpoint write, durable marker, WAL truncation, removal of the previous checkpoint; ${IO_NOTE[io]}`,
    });
  }
}

async function section6(c: BenchConfig): Promise<void> {
  log('6. memory backend');
  const append = await repeat(c.reps, () => oursBuffered(new MemoryDirectory(), c.memoryRecords), 1);
  add({ section: '6', name: 'memory: buffered append', unit: 'rec/s', higherIsBetter: true, ours: append });
  const batch = await repeat(c.reps, () => oursBatch(new MemoryDirectory(), c.memoryRecords, 64), 1);
  add({ section: '6', name: 'memory: appendBatch(64)', unit: 'rec/s', higherIsBetter: true, ours: batch });
  const concurrent = await repeat(c.reps, () =>
    oursDurable(new MemoryDirectory(), c.concurrentRecords[64]!, 64),
  );
  add({
    section: '6',
    name: 'memory: 64 concurrent append + flushAndSync',
    unit: 'rec/s',
    higherIsBetter: true,
    ours: concurrent,
    note: 'memory promises no stable storage: this is the cost of group commit without I/O',
  });
  const replay = await repeat(c.reps, async () => {
    const dir = new MemoryDirectory();
    await writeOurWal(dir, c.memoryRecords);
    const { WalReader } = await import('@durability/core');
    const start = performance.now();
    let count = 0;
    await new WalReader(dir).replayEach(
      () => {
        count++;
      },
      { mode: 'best-effort' },
    );
    return (count / (performance.now() - start)) * 1000;
  });
  add({ section: '6', name: 'memory: replayEach', unit: 'rec/s', higherIsBetter: true, ours: replay });
  for (const row of await s3SimRows(c)) add(row);
}

function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += statSync(`${entry.parentPath}/${entry.name}`).size;
  }
  return total;
}

async function main(): Promise<void> {
  const started = performance.now();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      work.dispose();
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
  log(`durability bench${quick ? ' (quick)' : ''}: scratch directory ${work.root}`);
  const machine = describeMachine(work.root, config.fsyncProbes);
  for (const line of machineLines(machine)) log(line);
  try {
    if (enabled('1')) await section1(config);
    if (enabled('2')) await section2(config);
    if (enabled('3')) await section3(config);
    if (enabled('4')) await section4(config);
    if (enabled('5')) await section5(config);
    if (enabled('6')) await section6(config);
  } finally {
    work.dispose();
  }
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(`\n${renderText(rows)}\n\n`);
  const { met, missed } = targetCounts(rows);
  process.stdout.write(`targets: ${met} met, ${missed.length} missed; ${seconds.toFixed(0)} s\n`);
  if (writeReport) {
    const out = fileURLToPath(new URL('../../../BENCHMARKS.md', import.meta.url));
    writeFileSync(out, renderReport(rows, machineLines(machine), { seconds, quick }));
    process.stdout.write(`wrote ${out}\n`);
  }
}

await main();
