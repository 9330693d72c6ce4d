import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AmqpPool } from '../rabbit/amqp.js'
import { BROKER } from '@warren/test-kit'
import { createAmqpVhost, type AmqpVhost } from '../test-support/amqp-vhost.js'
import * as runs from '../test-support/bulk-runs.js'
import { finished, started, until } from '../test-support/bulk-runs.js'
import { openTestStore } from '../test-support/sqlite-store.js'
import { deadLettersOf } from '../test-support/stored-rows.js'
import type { DeadLetterStore } from '../store/types.js'
import { createBulkRunner, type BulkStart } from './bulk.js'
import { amqpCopyPublisher } from './copy-publisher.js'

let broker: AmqpVhost
let pool: AmqpPool
let sqlite: Awaited<ReturnType<typeof openTestStore>>

beforeAll(async () => {
  broker = await createAmqpVhost('warren-bulk')
  pool = new AmqpPool({ urls: [BROKER.amqp] })
  sqlite = await openTestStore()
})

afterAll(async () => {
  try {
    await pool?.close()
    await sqlite?.drop()
  } finally {
    await broker?.dispose()
  }
})

function runnerOn(store: DeadLetterStore, options: { batchSize?: number } = {}) {
  return createBulkRunner({
    store,
    publisher: amqpCopyPublisher(pool),
    audit: { record: async () => {} },
    ...options,
  })
}

/** A work queue, its DLQ (empty: the store holds the dead letters), and `count` stored rows. */
async function arrange(name: string, count: number) {
  const { store } = sqlite
  await broker.queue(name)
  await broker.queue(`${name}.dlq`)
  await store.insert(deadLettersOf(broker.name, `${name}.dlq`, name, count))
  return { store, work: name, dlq: `${name}.dlq` }
}

const request = (queue: string, rest: Partial<BulkStart> = {}) =>
  runs.request(broker.name, queue, rest)

describe('bulk requeue', () => {
  it('requeues a 2,000-message group at 500 msg/s in no less than 3 s, each message once, later arrivals untouched', async () => {
    const { store, work, dlq } = await arrange('paced', 2000)
    const runner = runnerOn(store)
    try {
      const begin = Date.now()
      const operation = await started(runner, request(dlq, { rate: 500 }))
      await store.insert(deadLettersOf(broker.name, dlq, work, 10, 'late'))
      const running = await until(runner, operation.id, (view) => view.done > 600)
      expect(running.measuredRate).toBeGreaterThan(300)
      expect(running.etaSeconds).toBeGreaterThan(0)
      const view = await until(runner, operation.id, finished)

      expect(Date.now() - begin).toBeGreaterThanOrEqual(3000)
      expect(view).toMatchObject({ status: 'succeeded', total: 2000, done: 2000, failed: 0 })
      expect(await broker.count(work)).toBe(2000)
      const ids = (await broker.drain(work)).map((message) => message.messageId)
      expect(new Set(ids).size).toBe(2000)
      expect(await store.count(broker.name, dlq)).toBe(10)
    } finally {
      await runner.close()
    }
  })

  it('stops on pause and finishes on resume', async () => {
    const { store, work, dlq } = await arrange('pause', 300)
    const runner = runnerOn(store, { batchSize: 20 })
    try {
      const operation = await started(runner, request(dlq, { rate: 200 }))
      await until(runner, operation.id, (view) => view.done >= 40)
      const paused = await runner.pause(operation.id)
      expect(paused.status).toBe('paused')
      await new Promise((resolve) => setTimeout(resolve, 400))
      expect((await runner.get(operation.id))?.done).toBe(paused.done)
      expect(paused.done).toBeLessThan(300)

      await runner.resume(operation.id)
      const view = await until(runner, operation.id, finished)
      expect(view).toMatchObject({ status: 'succeeded', done: 300 })
      expect(await broker.count(work)).toBe(300)
    } finally {
      await runner.close()
    }
  })

  it('stops after the batch in flight on cancel; what was done stays done', async () => {
    const { store, work, dlq } = await arrange('cancel', 400)
    const runner = runnerOn(store, { batchSize: 20 })
    try {
      const operation = await started(runner, request(dlq, { rate: 200 }))
      await until(runner, operation.id, (view) => view.done >= 40)
      const cancelled = await runner.cancel(operation.id)
      await new Promise((resolve) => setTimeout(resolve, 300))
      const view = await runner.get(operation.id)
      expect(view).toMatchObject({ status: 'cancelled', done: cancelled.done })
      expect(cancelled.done).toBeLessThan(400)
      expect(await broker.count(work)).toBe(cancelled.done)
      expect(await store.count(broker.name, dlq)).toBe(400 - cancelled.done)
    } finally {
      await runner.close()
    }
  })

  it('refuses a second operation on the same queue with 409 operation-in-progress', async () => {
    const { store, dlq } = await arrange('twice', 200)
    const runner = runnerOn(store)
    try {
      const operation = await started(runner, request(dlq, { rate: 50 }))
      await expect(runner.start(request(dlq))).rejects.toMatchObject({
        status: 409,
        code: 'operation-in-progress',
      })
      await runner.cancel(operation.id)
    } finally {
      await runner.close()
    }
  })

  it('finishes after a restart: a new runner resumes, at most one batch sent twice and reported', async () => {
    const { store, work, dlq } = await arrange('restart', 500)
    // The first admin API dies after the broker confirmed its 4th batch, before the store committed it.
    let batches = 0
    const dying: DeadLetterStore = {
      ...store,
      settleBulkItems: (...args) => {
        batches += 1
        return batches < 4 ? store.settleBulkItems(...args) : new Promise(() => {})
      },
    }
    const first = createBulkRunner({
      store: dying,
      publisher: amqpCopyPublisher(pool),
      audit: { record: async () => {} },
      batchSize: 50,
      closeTimeoutMs: 200,
      leaseMs: 300,
      renewMs: 100,
    })
    const operation = await started(first, request(dlq))
    await until(first, operation.id, () => batches >= 4)
    await first.close()
    const left = await store.getBulk(operation.id)
    expect(left?.status).toBe('running')
    // Its batch never ended, so it kept its lease, as a killed instance does, until it runs out.
    const expiry = (left?.leaseUntil ?? 0) - Date.now()
    await new Promise((resolve) => setTimeout(resolve, Math.max(expiry, 0) + 20))

    const second = runnerOn(store, { batchSize: 50 })
    try {
      expect(await second.resumeUnfinished()).toBe(1)
      const view = await until(second, operation.id, finished)
      expect(view).toMatchObject({ status: 'succeeded', done: 500, possibleDuplicates: 50 })
      const requeued = await broker.count(work)
      expect(requeued).toBe(500 + 50)
      expect(await store.count(broker.name, dlq)).toBe(0)
    } finally {
      await second.close()
    }
  })

  it('counts on a dry run what it would requeue, per original queue, and changes nothing', async () => {
    const { store, dlq } = await arrange('dry', 30)
    await store.insert(deadLettersOf(broker.name, dlq, 'elsewhere', 5, 'x'))
    const runner = runnerOn(store)
    const result = await runner.start(request(dlq, { dryRun: true }))
    expect(result).toEqual({
      dryRun: true,
      result: { matched: 35, targets: { dry: 30, elsewhere: 5 } },
    })
    expect(await store.count(broker.name, dlq)).toBe(35)
    expect(await runner.list(broker.name, dlq)).toEqual([])
  })
})

describe('bulk move and delete', () => {
  it('moves the selected messages to another queue', async () => {
    const { store, work, dlq } = await arrange('move', 40)
    await broker.queue('move.parking')
    const runner = runnerOn(store)
    const ids = (await store.page(broker.name, dlq, {}, 5, 0)).map((row) => row.seq)
    const operation = await started(
      runner,
      request(dlq, { action: 'move', target: 'move.parking', selection: { seqs: ids } }),
    )
    expect(await until(runner, operation.id, finished)).toMatchObject({
      status: 'succeeded',
      total: 5,
      done: 5,
    })
    const moved = await broker.drain('move.parking')
    expect(moved.map((message) => message.messageId)).toEqual(['m-0', 'm-1', 'm-2', 'm-3', 'm-4'])
    expect(moved[0]?.headers).toMatchObject({
      'warren-attempt': 5,
      'warren-dead-letter-reason': 'max-attempts',
    })
    expect(await broker.count(work)).toBe(0)
    expect(await store.count(broker.name, dlq)).toBe(35)
  })

  it('records an unroutable target as failures and keeps the messages held', async () => {
    const { store, dlq } = await arrange('nowhere', 12)
    const runner = runnerOn(store)
    const operation = await started(
      runner,
      request(dlq, { action: 'move', target: 'nowhere.missing' }),
    )
    const view = await until(runner, operation.id, finished)
    expect(view).toMatchObject({ status: 'failed', done: 0, failed: 12 })
    expect(view.failures[0]?.reason).toBe("no queue 'nowhere.missing' to route to")
    expect(await store.count(broker.name, dlq)).toBe(12)
  })

  it('archives the selected messages on delete', async () => {
    const { store, dlq } = await arrange('delete', 25)
    const [first] = await store.page(broker.name, dlq, {}, 1, 0)
    const runner = runnerOn(store)
    const operation = await started(runner, request(dlq, { action: 'delete' }))
    expect(await until(runner, operation.id, finished)).toMatchObject({
      status: 'succeeded',
      done: 25,
    })
    expect(await store.count(broker.name, dlq)).toBe(0)
    const [row] = await store.get(broker.name, dlq, [first?.seq ?? 0])
    expect(row?.state).toBe('archived')
  })
})
