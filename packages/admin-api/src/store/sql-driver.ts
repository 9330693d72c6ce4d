// What the SQL store needs of a database: statements, transactions and a fast insert. SQLite and
// PostgreSQL each supply one; everything else is shared (sql-store.ts, sql-bulk.ts).
import type { Row } from './rows.js'
import type { Dialect, Query } from './sql-filter.js'
import type { DeadLetterStore } from './types.js'

/** Runs statements, inside a transaction or not. */
export interface Executor {
  all(query: Query): Promise<Row[]>
  /** Returns how many rows the statement changed. */
  run(query: Query): Promise<number>
}

export interface SqlDriver extends Executor {
  readonly kind: DeadLetterStore['kind']
  readonly dialect: Dialect
  /** Creates the schema when missing. */
  init(): Promise<void>
  close(): Promise<void>
  /**
   * Runs `work` in one transaction. With `lock`, no other transaction holding the same lock runs
   * at the same time, in any process on this database.
   */
  transaction<T>(
    work: (tx: Executor) => Promise<T>,
    lock?: { vhost: string; queue: string },
  ): Promise<T>
  /** Inserts rows of `INSERT_COLUMNS` values, as fast as the database allows. */
  insertRows(tx: Executor, rows: unknown[][]): Promise<void>
  /**
   * Told how many dead letters a committed write added or settled, so the driver can keep the
   * planner's statistics up to date (PostgreSQL without autovacuum). Never throws.
   */
  written?(rows: number): void
  /** See {@link DeadLetterStore.searchBacklog}; none: the index is written with the rows. */
  searchBacklog?(): Promise<number>
}
