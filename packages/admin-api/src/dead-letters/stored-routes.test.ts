import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BROKER } from '@warren/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AmqpPool } from '../rabbit/amqp.js'
import { createLogger } from '../security/logger.js'
import { createAmqpVhost, type AmqpVhost } from '../test-support/amqp-vhost.js'
import { createTestApp, dlqPath } from '../test-support/dead-letter-app.js'
import { createIntake } from '../store/intake.js'
import { createSqliteStore } from '../store/sqlite.js'
import type { DeadLetterStore } from '../store/types.js'
import type {
  ArchiveListResult,
  BrowseResult,
  DeleteResult,
  GroupsResult,
  PurgeResult,
  RequeueResult,
  RestoreResult,
} from './schemas.js'

// The design's dead-letter routes on a queue in the store's care: the same requests and answers
// as on a queue read live, served from the store at any depth.

let broker: AmqpVhost
let dir: string
let store: DeadLetterStore
let pool: AmqpPool
let app: ReturnType<typeof createTestApp>
const DLQ = 'orders.dlq'
const ERRORS = ['TimeoutError', 'ValidationError', 'PaymentDeclined'] as const

beforeAll(async () => {
  broker = await createAmqpVhost('warren-stored-routes')
  dir = await mkdtemp(join(tmpdir(), 'warren-stored-routes-'))
  store = createSqliteStore({ path: join(dir, 'store.sqlite') })
  await store.init()
  pool = new AmqpPool({ urls: [BROKER.amqp] })
  await broker.queue('orders')
  await broker.queue(DLQ)
  await broker.queue('reports')
  // 300 dead letters: 200 timeouts of two ids each, 60 validation errors, 40 declined.
  const errorOf = (i: number) => (i < 200 ? ERRORS[0] : i < 260 ? ERRORS[1] : ERRORS[2])
  await broker.publish(
    DLQ,
    Array.from({ length: 300 }, (_, i) => ({
      body: { order: i, note: i === 222 ? 'the needle' : 'hay' },
      options: {
        messageId: `order-${i}`,
        contentType: 'application/json',
        headers: {
          'warren-error-name': errorOf(i),
          'warren-error-message': `order ${i} failed after ${i % 7} ms`,
          'warren-original-queue': 'orders',
        },
      },
    })),
  )
  const intake = createIntake({
    store,
    pool,
    log: createLogger(
      (text) => text,
      () => {},
    ),
    queues: async () => [{ vhost: broker.name, name: DLQ }],
  })
  intake.start()
  const end = Date.now() + 15_000
  while ((await store.count(broker.name, DLQ)) < 300 && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  await intake.stop()
  app = createTestApp(broker.name, BROKER, store)
})

afterAll(async () => {
  await app?.close()
  await pool?.close()
  await store?.close()
  await broker?.dispose()
  await rm(dir, { recursive: true, force: true })
})

describe('the dead-letter routes on a store-kept queue', () => {
  const path = () => dlqPath(broker.name, DLQ)

  it('pages at any offset, with the whole queue in total and what RabbitMQ still has', async () => {
    const { status, body } = await app.get<BrowseResult>(`${path()}/messages?limit=5&offset=295`)
    expect(status).toBe(200)
    expect(body.total).toBe(300)
    expect(body.reading).toMatchObject({ mode: 'store', held: 300, inBroker: 0 })
    expect(body.items.map((item) => item.messageId)).toEqual([
      'order-295',
      'order-296',
      'order-297',
      'order-298',
      'order-299',
    ])
    expect(body.items[0]).toMatchObject({
      originalQueue: 'orders',
      error: { name: 'PaymentDeclined' },
    })
  })

  it('searches payloads and filters by error name on the server', async () => {
    const found = await app.get<BrowseResult>(`${path()}/messages?search=The%20Needle`)
    expect(found.body.total).toBe(1)
    expect(found.body.items[0]?.messageId).toBe('order-222')
    const declined = await app.get<BrowseResult>(
      `${path()}/messages?errorName=PaymentDeclined&limit=1`,
    )
    expect(declined.body.total).toBe(40)
  })

  it('groups the whole queue by failure, ids and numbers aside', async () => {
    const { body } = await app.get<GroupsResult>(`${path()}/groups`)
    expect(body.complete).toBe(true)
    expect(body.total).toBe(300)
    expect(
      body.items.map(({ errorName, count, originalQueues }) => ({
        errorName,
        count,
        originalQueues,
      })),
    ).toEqual([
      { errorName: 'TimeoutError', count: 200, originalQueues: ['orders'] },
      { errorName: 'ValidationError', count: 60, originalQueues: ['orders'] },
      { errorName: 'PaymentDeclined', count: 40, originalQueues: ['orders'] },
    ])
    const group = body.items[1]!
    const members = await app.get<BrowseResult>(`${path()}/messages?group=${group.key}&limit=1`)
    expect(members.body.total).toBe(60)
  })

  it('requeues by id to the original queue, and answers unknown ids as not found', async () => {
    const page = await app.get<BrowseResult>(`${path()}/messages?limit=2`)
    const ids = page.body.items.map((item) => item.id)
    const { status, body } = await app.post<RequeueResult>(`${path()}/requeue`, {
      ids: [...ids, '999999'],
    })
    expect(status).toBe(200)
    expect(body).toMatchObject({ requeued: 2, notFound: ['999999'], failed: [] })
    const arrived = await broker.drain('orders')
    expect(arrived.map((m) => m.messageId)).toEqual(['order-0', 'order-1'])
    expect((await app.get<BrowseResult>(`${path()}/messages?limit=1`)).body.total).toBe(298)
  })

  it('deletes into the archive, lists it, and restores from it', async () => {
    const page = await app.get<BrowseResult>(`${path()}/messages?limit=3`)
    const ids = page.body.items.map((item) => item.id)
    const deleted = await app.post<DeleteResult>(`${path()}/delete`, { ids })
    expect(deleted.body).toMatchObject({ deleted: 3, notFound: [] })
    const archive = await app.get<ArchiveListResult>(
      `/api/archive?vhost=${broker.encoded}&queue=${DLQ}`,
    )
    expect(archive.body.total).toBe(3)
    expect(archive.body.items.map((item) => item.message.messageId).sort()).toEqual([
      'order-2',
      'order-3',
      'order-4',
    ])
    // The vhost's whole archive: the store's and the (empty) stream's together.
    const whole = await app.get<ArchiveListResult>(`/api/archive?vhost=${broker.encoded}`)
    expect(whole.body.total).toBe(3)
    const restored = await app.post<RestoreResult>('/api/archive/restore', {
      ids: archive.body.items.map((item) => item.id),
    })
    expect(restored.body).toMatchObject({ restored: 3, notFound: [] })
    expect((await app.get<BrowseResult>(`${path()}/messages?limit=1`)).body.total).toBe(298)
  })

  it('refuses a purge whose confirmation does not match, then purges everything into the archive', async () => {
    const wrong = await app.post<PurgeResult>(`${path()}/purge`, { confirm: 'orders' })
    expect(wrong.status).toBe(400)
    expect((await app.get<BrowseResult>(`${path()}/messages?limit=1`)).body.total).toBe(298)
    const purged = await app.post<PurgeResult>(`${path()}/purge`, { confirm: DLQ })
    expect(purged.body).toMatchObject({ purged: 298, failed: [] })
    expect((await app.get<BrowseResult>(`${path()}/messages?limit=1`)).body.total).toBe(0)
    const archive = await app.get<ArchiveListResult>(
      `/api/archive?vhost=${broker.encoded}&queue=${DLQ}&limit=1`,
    )
    expect(archive.body.total).toBe(298)
  })

  it('answers a work queue 409 and a missing queue 404, as on a live reading', async () => {
    const work = await app.get(`${dlqPath(broker.name, 'reports')}/messages`)
    expect(work.status).toBe(409)
    const missing = await app.get(`${dlqPath(broker.name, 'no-such.dlq')}/messages`)
    expect(missing.status).toBe(404)
  })
})
