import type { Kysely, Transaction } from 'kysely';
import type { Schema } from './schema';

/** The two storage engines every store runs on. */
export type Engine = 'sqlite' | 'postgres';

/** A query handle: the database itself or an open transaction on it. */
export type Queryable = Kysely<Schema> | Transaction<Schema>;

/** An open database: one query layer over either engine, transactions through one place. */
export interface Database {
  readonly engine: Engine;
  /** Where it lives, as opened: another thread opens its own connection with it. */
  readonly url: string;
  readonly kysely: Kysely<Schema>;
  /** Runs fn in one transaction; everything it writes commits together or not at all. */
  transaction<T>(fn: (trx: Transaction<Schema>) => Promise<T>): Promise<T>;
  /** Engine-specific bulk insert of plain rows, far faster than one statement per row. */
  insertMany(
    trx: Queryable,
    table: keyof Schema & string,
    rows: Record<string, unknown>[],
  ): Promise<void>;
  /**
   * Which of `values` already occur in `table.column` (an indexed column). Point lookups with
   * one cached statement on SQLite, one `= any($1)` array query on PostgreSQL: far cheaper
   * than an IN list of thousands of bound parameters compiled afresh each time.
   */
  existingValues(
    trx: Queryable,
    table: keyof Schema & string,
    column: string,
    values: readonly string[],
  ): Promise<Set<string>>;
  close(): Promise<void>;
}
