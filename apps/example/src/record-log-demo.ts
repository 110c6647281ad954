import { FsDirectory } from '@durability/backend-fs';
import { cborCodec, type Directory, RecordLogReader, RecordLogWriter, TornTailError } from '@durability/core';

/** One event of the demo journal. */
export interface JournalEvent {
  seq: number;
  kind: 'deposit' | 'withdrawal';
  amount: number;
}

export interface DemoResult {
  /** Events acknowledged by flushAndSync before the simulated crash. */
  synced: number;
  /** Events acknowledged by flush (handed to the OS) before the simulated crash. */
  flushed: number;
  /** Events recovered by the best-effort read after the crash. */
  recovered: number;
  /** Bytes of torn tail the best-effort read dropped. */
  droppedBytes: number;
  /** Events in the log after resume repaired it and one more event was appended. */
  afterRepair: number;
}

const LOG_PATH = 'journal.vrlg';
const codec = cborCodec<JournalEvent>();

/**
 * The record log end to end on a real directory: append, flush vs sync, a torn write as a crash leaves
 * it, strict and best-effort reads, repair by resume. Throws if any promise of the log does not hold.
 */
export async function runRecordLogDemo(
  root: string,
  say: (line: string) => void = console.log,
): Promise<DemoResult> {
  const dir = new FsDirectory(root);
  await dir.delete(LOG_PATH);
  say(`record log at ${dir.filePath(LOG_PATH)}`);

  const writer = await RecordLogWriter.create(dir, LOG_PATH, { codec });
  const events = Array.from(
    { length: 100 },
    (_, seq): JournalEvent => ({
      seq,
      kind: seq % 3 === 0 ? 'withdrawal' : 'deposit',
      amount: (seq * 37) % 500,
    }),
  );
  for (const event of events.slice(0, 60)) await writer.append(event);
  await writer.flushAndSync();
  say('appended 60 events and called flushAndSync(): they are on stable storage (survive power loss)');
  for (const event of events.slice(60)) await writer.append(event);
  await writer.flush();
  say('appended 40 more and called flush(): handed to the OS (survive a process crash, not power loss)');
  await writer.close();

  await tearLastWrite(dir, { seq: 100, kind: 'deposit', amount: 1 });
  say('simulated a crash in the middle of appending event 100: the file now ends in half a record');

  const reader = new RecordLogReader(dir, LOG_PATH, { codec });
  try {
    await reader.readAll({ mode: 'strict' });
    throw new Error('strict read accepted a torn tail');
  } catch (error) {
    if (!TornTailError.is(error)) throw error;
    say(`strict read refuses the torn tail: ${error.message}`);
  }
  const { records, report } = await reader.readAll({ mode: 'best-effort' });
  say(
    `best-effort read recovers ${records.length} events (${report.reason}, ${report.droppedBytes} bytes dropped)`,
  );
  assertPrefix(records, events);

  const repaired = await RecordLogWriter.resume(dir, LOG_PATH, { codec });
  await repaired.append({ seq: 100, kind: 'deposit', amount: 1 });
  await repaired.flushAndSync();
  await repaired.close();
  const after = await reader.readAll({ mode: 'strict' });
  say(
    `resume truncated the torn tail; after one more append a strict read returns ${after.records.length} events`,
  );
  assertPrefix(after.records, [...events, { seq: 100, kind: 'deposit', amount: 1 }]);
  if (after.records.length !== 101)
    throw new Error(`expected 101 events after repair, got ${after.records.length}`);

  return {
    synced: 60,
    flushed: 40,
    recovered: records.length,
    droppedBytes: report.droppedBytes,
    afterRepair: 101,
  };
}

/**
 * Appends one more record and cuts the file in the middle of it: what a crash during that append leaves
 * behind (the first part of the frame reached the file, the rest did not).
 */
async function tearLastWrite(dir: Directory, event: JournalEvent): Promise<void> {
  const before = await dir.size(LOG_PATH);
  const writer = await RecordLogWriter.resume(dir, LOG_PATH, { codec });
  await writer.append(event);
  await writer.close();
  const after = await dir.size(LOG_PATH);
  await dir.truncate(LOG_PATH, before + Math.ceil((after - before) / 2));
}

function assertPrefix(actual: JournalEvent[], expected: JournalEvent[]): void {
  if (actual.length > expected.length) throw new Error('recovered more events than were written');
  actual.forEach((event, i) => {
    if (JSON.stringify(event) !== JSON.stringify(expected[i])) {
      throw new Error(`event ${i} differs from what was written: not a prefix`);
    }
  });
  if (actual.length < 100)
    throw new Error(`flushed events were lost: only ${actual.length} of 100 recovered`);
}
