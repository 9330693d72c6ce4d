import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { createPostgresStore } from './postgres.js'
import type { DeadLetterStore, NewDeadLetter } from './types.js'

// The planner's statistics of a store whose table autovacuum leaves alone (the server's setting, or
// the table's own `autovacuum_enabled = false`, set here): the store keeps them itself.

const url = process.env.WARREN_STORE_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const schema = `warren_stats_test_${process.pid}_${Date.now()}`

function letters(from: number, n: number): NewDeadLetter[] {
  return Array.from({ length: n }, (_, i) => ({
    vhost: 'stats-vh',
    queue: 'orders.dlq',
    content: Buffer.from('{}'),
    properties: {},
    headerTable: null,
    exchange: 'dlx',
    routingKey: 'orders',
    redelivered: false,
    digest: `d-${from + i}`,
    intakeAt: from + i,
    messageId: null,
    deadLetteredAt: null,
    reason: 'rejected',
    errorName: 'Declined',
    errorMessage: 'declined',
    originalQueue: 'orders',
    originalRoutingKey: 'orders',
    fingerprint: 'fp',
    searchText: `order ${from + i}`,
  }))
}

describe('the postgres store on a server without autovacuum', () => {
  const client = new pg.Client({ connectionString: url })
  let store: DeadLetterStore

  beforeAll(async () => {
    await client.connect()
    const first = createPostgresStore({ url, schema })
    await first.init()
    await first.close()
    await client.query(`ALTER TABLE ${schema}.dead_letters SET (autovacuum_enabled = false)`)
    store = createPostgresStore({ url, schema })
    await store.init()
  })
  afterAll(async () => {
    await store?.close()
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
    await client.end()
  })

  it('vacuums and analyzes its table once 10,000 rows came in, and not before', async () => {
    const analyzed = async () => {
      const { rows: stats } = await client.query(
        'SELECT last_vacuum, last_analyze FROM pg_stat_user_tables ' +
          "WHERE schemaname = $1 AND relname = 'dead_letters'",
        [schema],
      )
      return stats[0]?.last_analyze !== null && stats[0]?.last_vacuum !== null
    }
    for (let from = 0; from < 9_500; from += 500) await store.insert(letters(from, 500))
    expect(await analyzed()).toBe(false)
    await store.insert(letters(9_500, 500))
    const deadline = Date.now() + 15_000
    let done = false
    while (!done && Date.now() < deadline) {
      done = await analyzed()
      if (!done) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(done).toBe(true)
  })
})
