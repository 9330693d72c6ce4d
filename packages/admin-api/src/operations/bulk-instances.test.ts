// Several admin API instances on one store: each operation runs on exactly one of them, and what
// any of them does to it (pause, resume) or reads of it (its measured rate) holds for all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { BROKER } from '@warren/test-kit'
import { AmqpPool } from '../rabbit/amqp.js'
import { createPostgresStore } from '../store/postgres.js'
import type { DeadLetterStore } from '../store/types.js'
import { createAmqpVhost, type AmqpVhost } from '../test-support/amqp-vhost.js'
import { finished, request, started, until } from '../test-support/bulk-runs.js'
import { openTestStore } from '../test-support/sqlite-store.js'
import { deadLettersOf } from '../test-support/stored-rows.js'
import { createBulkRunner } from './bulk.js'
import { amqpCopyPublisher } from './copy-publisher.js'

/** One store as two instances open it; `drop` removes it. */
interface SharedStore {
  store: DeadLetterStore
  another(): DeadLetterStore
  drop(): Promise<void>
}

async function sharedPostgres(): Promise<SharedStore> {
  const url = process.env.WARREN_STORE_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const schema = `warren_bulk_test_${process.pid}_${Date.now()}`
  const store = createPostgresStore({ url, schema })
  await store.init()
  return {
    store,
    another: () => createPostgresStore({ url, schema }),
    async drop() {
      await store.close()
      const client = new pg.Client({ connectionString: url })
      await client.connect()
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)
      } finally {
        await client.end()
      }
    },
  }
}

let broker: AmqpVhost
let pool: AmqpPool

beforeAll(async () => {
  broker = await createAmqpVhost('warren-bulk-instances')
  pool = new AmqpPool({ urls: [BROKER.amqp] })
})

afterAll(async () => {
  try {
    await pool?.close()
  } finally {
    await broker?.dispose()
  }
})

const instance = (store: DeadLetterStore) =>
  createBulkRunner({
    store,
    publisher: amqpCopyPublisher(pool),
    audit: { record: async () => {} },
    batchSize: 20,
  })

describe.each([
  { name: 'sqlite', open: openTestStore },
  { name: 'postgres', open: sharedPostgres },
])('two instances on one $name store', ({ name, open }) => {
  let shared: SharedStore
  let second: DeadLetterStore

  beforeAll(async () => {
    shared = await open()
    second = shared.another()
    await second.init()
  })
  afterAll(async () => {
    await second?.close()
    await shared?.drop()
  })

  /** A work queue, its DLQ, and `count` stored rows of the DLQ. */
  async function arrange(test: string, count: number) {
    const work = `${name}.${test}`
    await broker.queue(work)
    await broker.queue(`${work}.dlq`)
    await shared.store.insert(deadLettersOf(broker.name, `${work}.dlq`, work, count))
    return { work, dlq: `${work}.dlq` }
  }

  /** Waits until the operation's owner let it go; its record then. */
  async function leaseReleased(id: string) {
    for (let i = 0; i < 200; i += 1) {
      const record = await shared.store.getBulk(id)
      if (record?.leaseUntil === 0) return record
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error(`operation ${id} kept its lease`)
  }

  it('runs an operation left by a stopped instance once when both resume at the same moment', async () => {
    const { work, dlq } = await arrange('orphan', 200)
    const id = `op-${name}-orphan`
    const at = Date.now()
    const { selection, target, rate, action } = request(broker.name, dlq)
    await shared.store.createBulk({
      id,
      action,
      vhost: broker.name,
      queue: dlq,
      target,
      selection,
      rate,
      status: 'running',
      actor: 'test',
      createdAt: at,
      updatedAt: at,
      finishedAt: null,
      error: null,
      owner: 'a-stopped-instance',
      leaseUntil: 0,
    })
    const [a, b] = [instance(shared.store), instance(second)]
    try {
      const resumed = await Promise.all([a.resumeUnfinished(), b.resumeUnfinished()])
      expect(resumed.sort()).toEqual([0, 1])
      expect(await until(a, id, finished)).toMatchObject({ status: 'succeeded', done: 200 })
      expect(await broker.count(work)).toBe(200)
      const ids = (await broker.drain(work)).map((message) => message.messageId)
      expect(new Set(ids).size).toBe(200)
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })

  it("stops a run on one instance when another pauses it, and the other's resume finishes it once", async () => {
    const { work, dlq } = await arrange('pause', 300)
    const [a, b] = [instance(shared.store), instance(second)]
    try {
      const operation = await started(a, request(broker.name, dlq, { rate: 200 }))
      await until(b, operation.id, (view) => view.done >= 40)
      const paused = await b.pause(operation.id)
      expect(paused.status).toBe('paused')
      // The owner sees it before its next batch, and lets the operation go.
      const released = await leaseReleased(operation.id)
      expect(released.done).toBeLessThanOrEqual(paused.done + 20)
      await new Promise((resolve) => setTimeout(resolve, 400))
      expect(await a.get(operation.id)).toMatchObject({ status: 'paused', done: released.done })

      expect((await b.resume(operation.id)).status).toBe('running')
      const view = await until(a, operation.id, finished)
      expect(view).toMatchObject({ status: 'succeeded', done: 300 })
      expect(await broker.count(work)).toBe(300)
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })

  it("shows the running instance's measured rate on any instance", async () => {
    const { dlq } = await arrange('rate', 400)
    const [a, b] = [instance(shared.store), instance(second)]
    try {
      const operation = await started(a, request(broker.name, dlq, { rate: 200 }))
      // The rate b shows is the one a saved with its last batch.
      for (let i = 0; ; i += 1) {
        const seen = await b.get(operation.id)
        const saved = (await second.getBulk(operation.id))?.measuredRate ?? null
        if (saved !== null && seen?.measuredRate === Math.round(saved * 10) / 10) {
          // Measured, and held to the rate set (a busy machine may send slower, never faster).
          expect(seen.measuredRate).toBeGreaterThan(0)
          expect(seen.measuredRate).toBeLessThanOrEqual(250)
          break
        }
        expect(i).toBeLessThan(100)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      await a.cancel(operation.id)
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })
})
