// A commit's fsync, off the event loop. With synchronous=FULL, SQLite fsyncs the WAL inside
// COMMIT; better-sqlite3 is synchronous, so for that whole wait (about half a millisecond a
// group on this machine's disk, under a point-of-service rush) the server process stops: no
// request parsed, none answered, no next group begun. So a group-commit transaction commits
// with synchronous=NORMAL — the WAL frames are written to the operating system, which keeps
// them through a crash of the process, but not yet to the disk — and then the WAL is
// fdatasync'ed on libuv's thread pool while the event loop goes on. Nobody is answered before
// that flush has returned (group-commit.ts awaits it), so an acknowledged transaction is on
// the disk exactly as with FULL, power loss included. What changes: another request may read
// a transaction in the moment between its commit and its flush; if the power fails then, that
// transaction is gone and was never acknowledged (a retry with its Idempotency-Key runs it
// again), and what the reader saw cannot have caused a delivery, which is itself a transaction
// that must be flushed too.
//
// A statement outside a transaction keeps synchronous=FULL (a CLI job's transactions flush
// like the server's): the level is lowered only inside the driver's begin, while the
// transaction holds the one connection, and raised again as the transaction ends. So every
// transaction on SQLite must come through Database.transaction, which flushes: one begun on
// Kysely itself would be answered before its WAL is on the disk (a test checks that no code
// does).
//
// If the disk reports a failed flush, nobody can know what of the WAL is on it: the callers of
// that flush get the error, and every later transaction on this connection is refused until
// the process restarts (SQLite then recovers the WAL as the disk has it) — the rule PostgreSQL
// follows since fsync's errors were found to be lost on retry.
import { closeSync, fdatasync, fstatSync, fsyncSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';

/** How a flush reaches the disk; a test may hold it back or make it fail. */
export type FlushFile = (fd: number) => Promise<void>;

const fdatasyncAsync: FlushFile = (fd) =>
  new Promise((done, fail) => fdatasync(fd, (e) => (e ? fail(e) : done())));

/** The WAL's flush, done after COMMIT instead of inside it. */
export class DeferredWalSync {
  readonly #raw: BetterSqlite3.Database;
  readonly #walPath: string;
  readonly #flushFile: FlushFile;
  #fd: number | undefined;
  #ino = 0;
  #running: Promise<void> | undefined;
  #waiting: Promise<void> | undefined;
  #failed: Error | undefined;

  constructor(raw: BetterSqlite3.Database, databasePath: string, flushFile = fdatasyncAsync) {
    this.#raw = raw;
    this.#walPath = `${databasePath}-wal`;
    this.#flushFile = flushFile;
  }

  /** Before BEGIN, with the connection held: this transaction's commit will not fsync. */
  beforeBegin(): void {
    if (this.#failed)
      throw new Error(
        `The disk failed to confirm a write to ${this.#walPath} (${this.#failed.message}): ` +
          'no transaction is taken until the server restarts.',
      );
    // Not a prepared statement: SQLite applies this pragma when compiling it.
    this.#raw.exec('pragma synchronous = NORMAL');
  }

  /** After COMMIT or ROLLBACK (or a BEGIN that failed), with the connection still held. */
  afterEnd(): void {
    // A failed COMMIT may leave the transaction open until its ROLLBACK: the level cannot
    // change inside one, and the ROLLBACK's own call restores it.
    if (this.#raw.inTransaction) return;
    this.#raw.exec('pragma synchronous = FULL');
  }

  /**
   * Resolves once everything committed so far (called after each commit) is on the disk. A
   * flush already running may have started before the latest commit wrote its frames, so a
   * caller arriving meanwhile waits for a new one, which all such callers share.
   */
  flush(): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    if (this.#waiting) return this.#waiting;
    if (!this.#running) return this.#start();
    this.#waiting = this.#running
      .catch(() => undefined)
      .then(() => {
        this.#waiting = undefined;
        if (this.#failed) throw this.#failed;
        return this.#start();
      });
    return this.#waiting;
  }

  /** Closes the WAL's descriptor (the database itself is closed by its owner). */
  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  #start(): Promise<void> {
    const run = (async () => {
      try {
        await this.#flushFile(this.#currentFd());
      } catch (e) {
        this.#failed = e instanceof Error ? e : new Error(String(e));
        throw this.#failed;
      }
    })();
    this.#running = run;
    void run.then(
      () => this.#settled(run),
      () => this.#settled(run),
    );
    return run;
  }

  #settled(run: Promise<void>): void {
    if (this.#running === run) this.#running = undefined;
  }

  /**
   * The WAL's descriptor. SQLite creates the file at a database's first write, and again if
   * every connection closed and it was removed: opened then, or again when replaced.
   */
  #currentFd(): number {
    if (this.#fd === undefined || statSync(this.#walPath).ino !== this.#ino) {
      this.close();
      this.#fd = openSync(this.#walPath, 'r');
      this.#ino = fstatSync(this.#fd).ino;
      // A WAL may have just been created: its name must be on the disk as well as its frames.
      const dir = openSync(dirname(this.#walPath), 'r');
      try {
        fsyncSync(dir);
      } finally {
        closeSync(dir);
      }
    }
    return this.#fd;
  }
}
