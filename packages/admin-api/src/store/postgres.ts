import pg from 'pg'
import { INSERT_COLUMNS } from './rows.js'
import type { Executor, SqlDriver } from './sql-driver.js'
import { POSTGRES_SCHEMA, POSTGRES_SEARCH_INDEX } from './postgres-schema.js'
import { createSqlStore } from './sql-store.js'
import type { DeadLetterStore } from './types.js'

export interface PostgresStoreOptions {
  /** A connection string, `postgres://user@host:5432/database`. */
  url: string
  /**
   * The schema the store's tables live in; created when missing. Letters, digits and `_` only.
   * @default 'public'
   */
  schema?: string
  /**
   * Connections per admin API process.
   * @default 10
   */
  poolSize?: number
}

/** Each inserted column's type, for the arrays one INSERT unnests. */
const INSERT_TYPES: Record<(typeof INSERT_COLUMNS)[number], string> = {
  queue_id: 'integer',
  content: 'bytea',
  properties: 'jsonb',
  header_table: 'bytea',
  exchange: 'text',
  routing_key: 'text',
  digest: 'text',
  intake_at: 'bigint',
  seen_at: 'bigint',
  message_id: 'text',
  dead_lettered_at: 'bigint',
  reason: 'text',
  error_name: 'text',
  error_message: 'text',
  original_queue: 'text',
  original_routing_key: 'text',
  fingerprint: 'text',
  search_text: 'text',
}

const columns = INSERT_COLUMNS.join(', ')
/** A whole batch in one statement: one array per column, unnested in the batch's order. */
const INSERT_SQL =
  `INSERT INTO dead_letters (${columns}) SELECT ${columns} FROM unnest(` +
  INSERT_COLUMNS.map((column, i) => `$${i + 1}::${INSERT_TYPES[column]}[]`).join(', ') +
  `) WITH ORDINALITY AS batch (${columns}, position) ORDER BY position`

/**
 * The shared store: several admin API instances on one PostgreSQL database, a bulk operation's
 * queue lock held across all of them.
 *
 * @example
 * const store = createPostgresStore({ url: process.env.WARREN_STORE_URL, schema: 'warren' })
 * await store.init()
 */
export function createPostgresStore(options: PostgresStoreOptions): DeadLetterStore {
  return createSqlStore(postgresDriver(options))
}

function postgresDriver({
  url,
  schema = 'public',
  poolSize = 10,
}: PostgresStoreOptions): SqlDriver {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(schema)) {
    throw new TypeError(`schema must be letters, digits and _ (got ${JSON.stringify(schema)})`)
  }
  // public stays on the path for pg_trgm's operators, wherever the extension was installed.
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    options: `-c search_path=${schema},public`,
  })
  const statistics = ownStatistics(pool)
  const executor = (client: pg.Pool | pg.PoolClient): Executor => ({
    all: async ({ sql, values }) => (await client.query(sql, values)).rows,
    run: async ({ sql, values }) => (await client.query(sql, values)).rowCount ?? 0,
  })

  async function inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await pool.connect()
    try {
      await client.query('BEGIN')
      const result = await work(client)
      await client.query('COMMIT')
      return result
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw error
    } finally {
      client.release()
    }
  }

  return {
    kind: 'postgres',
    dialect: 'postgres',
    ...executor(pool),

    // Several instances may start at once: one creates the schema while the others wait.
    init: () =>
      inTransaction(async (client) => {
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('warren-store-init'))`)
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
        await client.query(POSTGRES_SCHEMA)
        await client.query('SAVEPOINT trigram')
        try {
          await client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public')
          await client.query(POSTGRES_SEARCH_INDEX)
        } catch {
          // No pg_trgm here: search falls back to ILIKE over the queue's rows, correct but slower.
          await client.query('ROLLBACK TO SAVEPOINT trigram')
        }
        await statistics.init(client)
      }),

    close: () => pool.end(),

    // The lock is a transaction-scoped advisory lock on the queue's name: it holds across every
    // connection to this database and ends with the transaction, also when a process dies.
    transaction: (work, lock) =>
      inTransaction(async (client) => {
        if (lock) {
          await client.query('SELECT pg_advisory_xact_lock(hashtext($1), hashtext($2))', [
            lock.vhost,
            lock.queue,
          ])
        }
        return work(executor(client))
      }),

    insertRows: async (tx, rows) => {
      const arrays = INSERT_COLUMNS.map((_, i) => rows.map((row) => row[i]))
      await tx.run({ sql: INSERT_SQL, values: arrays })
    },

    written: (rows) => statistics.written(rows),
  }
}

/**
 * The planner's statistics where nobody else keeps them: on a server with autovacuum off, a store
 * that takes in a million dead letters would be planned as an empty table (a page in seconds, not
 * milliseconds). There (or where the table's own `autovacuum_enabled` is false), after each fifth
 * of growth (10,000 rows changed at least) one `VACUUM (ANALYZE)` of the table runs in the
 * background, as autovacuum would run it. With autovacuum on, the server does it and this does
 * nothing.
 */
function ownStatistics(pool: pg.Pool) {
  let keep = false
  let rows = 0
  let changed = 0
  let running = false
  return {
    async init(client: pg.PoolClient) {
      const {
        rows: [setting],
      } = await client.query(
        "SELECT current_setting('autovacuum') = 'off' OR " +
          "coalesce('autovacuum_enabled=false' = ANY (c.reloptions), false) AS off, " +
          "c.reltuples AS tuples FROM pg_class c WHERE c.oid = to_regclass('dead_letters')",
      )
      keep = setting?.off === true
      rows = Math.max(0, Number(setting?.tuples ?? 0))
    },
    written(count: number) {
      changed += count
      if (!keep || running || changed < Math.max(10_000, rows / 5)) return
      running = true
      const counted = changed
      pool
        .query('VACUUM (ANALYZE) dead_letters')
        .then(() => {
          rows += counted
          changed -= counted
        })
        // Statistics a little older are no loss; the next write tries again.
        .catch(() => undefined)
        .finally(() => (running = false))
    },
  }
}
