/**
 * The writer's single I/O chain and its group commit.
 *
 * Invariants:
 * - Every backend call of a writer runs inside one task of this chain, one task at a time, in request
 *   order (backend writers forbid overlapping calls; file order must equal id order).
 * - At most one round is *open* (queued, not yet started). A request joins the open round, raising its
 *   level, or opens a new one behind whatever runs. So every caller that asks for a sync while a sync is
 *   running shares the next single round, and a round covers everything buffered when it *starts*.
 * - A failed task poisons the chain: that round's waiters, every queued round and every later request
 *   reject with the same error object (fail-stop; a failed fsync must not be retried).
 */

/** 0: hand buffered frames to the backend; 1: also `flush` (visibility); 2: also `sync` (durability). */
export type CommitLevel = 0 | 1 | 2;
export const WRITE: CommitLevel = 0;
export const FLUSH: CommitLevel = 1;
export const SYNC: CommitLevel = 2;

interface Round {
  level: CommitLevel;
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class CommitQueue {
  private tail: Promise<void> = Promise.resolve();
  private open: Round | undefined;
  private failure: { error: unknown } | undefined;
  /** Tasks enqueued and not yet settled (running or waiting behind the one running). */
  private pending = 0;

  constructor(private readonly commit: (level: CommitLevel) => Promise<void>) {}

  /** The error that poisoned the chain, wrapped so that `undefined` is distinguishable. */
  get poison(): { error: unknown } | undefined {
    return this.failure;
  }

  /** True while a task runs or waits on the chain: a new request would queue behind backend I/O. */
  get busy(): boolean {
    return this.pending > 0;
  }

  /** Resolves (never rejects) once every task enqueued so far has settled; check `poison` after it. */
  settled(): Promise<void> {
    return this.tail;
  }

  /** Resolves once a round at `level` or above has committed everything buffered before this call. */
  request(level: CommitLevel): Promise<void> {
    if (this.failure) return Promise.reject(this.failure.error);
    let round = this.open;
    if (!round) {
      round = newRound(level);
      this.open = round;
      const started = round;
      this.enqueue(async () => {
        if (this.open === started) this.open = undefined;
        await this.commit(started.level);
      }, started);
    }
    if (level > round.level) round.level = level;
    return round.promise;
  }

  /** Runs `task` alone on the chain after everything queued before it; a failure poisons the chain. */
  exclusive<T>(task: () => Promise<T>): Promise<T> {
    if (this.failure) return Promise.reject(this.failure.error);
    let result: T;
    const round = newRound(WRITE);
    this.enqueue(async () => {
      result = await task();
    }, round);
    return round.promise.then(() => result);
  }

  private enqueue(task: () => Promise<void>, round: Round): void {
    this.pending++;
    this.tail = this.tail.then(async () => {
      try {
        if (this.failure) {
          round.reject(this.failure.error);
          return;
        }
        await task();
        round.resolve();
      } catch (error) {
        this.failure = { error };
        round.reject(error);
      } finally {
        this.pending--;
      }
    });
  }
}

function newRound(level: CommitLevel): Round {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Every round is awaited by at least one caller; this keeps a round nobody else awaits (a caller that
  // dropped its promise) from surfacing as an unhandled rejection. The poison reaches the next call.
  void promise.catch(() => undefined);
  return { level, promise, resolve, reject };
}
