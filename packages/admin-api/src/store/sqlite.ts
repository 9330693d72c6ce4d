import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { INSERT_COLUMNS } from './rows.js'
import type { Query } from './sql-filter.js'
import type { Executor, SqlDriver } from './sql-driver.js'
import { createSqlStore } from './sql-store.js'
import { SQLITE_BULK_COLUMNS, SQLITE_SCHEMA } from './sqlite-schema.js'
import type { Logger } from '../security/logger.js'
import { startSearchIndexer, type SearchIndexer } from './sqlite-search-index.js'
import type { DeadLetterStore } from './types.js'

export interface SqliteStoreOptions {
  /** The database file; its folder is created when missing. */
  path: string
  /**
   * How long a write waits for another connection's lock (another admin API process on the
   * same file) before it fails, in ms.
   * @default 5000
   */
  busyTimeoutMs?: number
  /** Where a failure of the search indexer is told (search stays exact without it). */
  log?: Pick<Logger, 'warn'>
}

/**
 * The embedded store: one SQLite file, nothing to set up.
 *
 * @example
 * const store = createSqliteStore({ path: 'data/dead-letters.db' })
 * await store.init()
 */
export function createSqliteStore(options: SqliteStoreOptions): DeadLetterStore {
  return createSqlStore(sqliteDriver(options))
}

function sqliteDriver({ path, busyTimeoutMs = 5_000, log }: SqliteStoreOptions): SqlDriver {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  // Custody: once insert resolves, RabbitMQ is acked and this file holds the only copy, so a
  // commit is on disk before it returns, even across a power loss.
  db.pragma('synchronous = FULL')
  db.pragma(`busy_timeout = ${busyTimeoutMs}`)
  db.pragma('cache_size = -65536')

  const statements = new Map<string, Database.Statement>()
  const prepared = (sql: string) => {
    let statement = statements.get(sql)
    if (!statement) {
      statement = db.prepare(sql)
      statements.set(sql, statement)
    }
    return statement
  }
  const direct: Executor = {
    all: async ({ sql, values }: Query) => {
      const statement = prepared(sql)
      if (statement.reader) return statement.all(...values) as Record<string, unknown>[]
      statement.run(...values)
      return []
    },
    run: async ({ sql, values }: Query) => prepared(sql).run(...values).changes,
  }

  // One connection, and a transaction's work awaits between its statements: everything goes
  // through one queue, so no call lands inside another's open transaction.
  let tail: Promise<unknown> = Promise.resolve()
  let indexer: SearchIndexer | undefined
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const result = tail.then(work, work)
    tail = result.catch(() => undefined)
    return result
  }

  /**
   * BEGIN IMMEDIATE takes the file's write lock, the lock across processes. SQLite's own busy
   * wait would block the event loop, and with it a transaction of this process that holds the
   * lock on another connection; so the wait for the lock is a timer, retried until the timeout.
   */
  async function begin(): Promise<void> {
    const deadline = Date.now() + busyTimeoutMs
    db.pragma('busy_timeout = 0')
    try {
      // Polled every few ms at most: the search indexer leaves the lock free only for a while.
      for (let wait = 1; ; wait = Math.min(wait * 2, 8)) {
        try {
          db.exec('BEGIN IMMEDIATE')
          return
        } catch (error) {
          const busy = (error as { code?: unknown }).code === 'SQLITE_BUSY'
          if (!busy || Date.now() >= deadline) throw error
        }
        await new Promise((resolve) => setTimeout(resolve, wait))
      }
    } finally {
      db.pragma(`busy_timeout = ${busyTimeoutMs}`)
    }
  }

  const insertSql =
    `INSERT INTO dead_letters (${INSERT_COLUMNS.join(', ')}) ` +
    `VALUES (${INSERT_COLUMNS.map(() => '?').join(', ')})`

  return {
    kind: 'sqlite',
    dialect: 'sqlite',
    init: () =>
      serial(async () => {
        db.exec(SQLITE_SCHEMA)
        const present = new Set(
          (db.pragma('table_info(bulks)') as { name: string }[]).map((column) => column.name),
        )
        for (const [name, definition] of SQLITE_BULK_COLUMNS) {
          if (!present.has(name)) db.exec(`ALTER TABLE bulks ADD COLUMN ${name} ${definition}`)
        }
        // An in-memory database has no second connection: its search scans.
        if (path !== ':memory:' && indexer === undefined) {
          indexer = startSearchIndexer(path, (error) =>
            log?.warn('dead-letter search indexer stopped; search reads the rows', { error }),
          )
        }
      }),
    close: () =>
      serial(async () => {
        await indexer?.close()
        db.close()
      }),
    searchBacklog: () =>
      serial(async () => {
        const row = db
          .prepare(
            'SELECT coalesce((SELECT max(seq) FROM dead_letters), 0) - indexed_to AS n ' +
              'FROM search_progress WHERE id = 1',
          )
          .get() as { n: number } | undefined
        return Math.max(0, row?.n ?? 0)
      }),
    all: (query) => serial(() => direct.all(query)),
    run: (query) => serial(() => direct.run(query)),
    transaction: (work) =>
      serial(async () => {
        await begin()
        try {
          const result = await work(direct)
          db.exec('COMMIT')
          return result
        } catch (error) {
          if (db.inTransaction) db.exec('ROLLBACK')
          throw error
        }
      }),
    insertRows: async (_tx, rows) => {
      const statement = prepared(insertSql)
      for (const row of rows) statement.run(...row)
    },
  }
}
