import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAmqpVhost, type AmqpVhost } from '../test-support/amqp-vhost.js'
import type { BrowseResult } from './schemas.js'
import { createTestApp, dlqPath } from '../test-support/dead-letter-app.js'

let broker: AmqpVhost
let api: ReturnType<typeof createTestApp>

beforeAll(async () => {
  broker = await createAmqpVhost('warren-browse')
  api = createTestApp(broker.name)
})

afterAll(async () => {
  try {
    await api?.close()
  } finally {
    await broker?.dispose()
  }
})

const deadLetter = (n: number) => ({
  body: { n },
  options: {
    messageId: `m-${n}`,
    contentType: 'application/json',
    headers: {
      'warren-dead-letter-reason': n % 2 === 0 ? 'max-attempts' : 'non-retryable',
      'warren-original-queue': 'orders',
      'warren-attempt': 3,
      'warren-error-name': 'TypeError',
      'warren-error-message': n === 7 ? 'customer not found' : 'boom',
    },
  },
})

describe.each(['classic', 'quorum'] as const)('browsing a %s dead-letter queue', (type) => {
  const queue = `orders.${type}.dlq`

  beforeAll(async () => {
    await broker.queue(queue, type)
    await broker.publish(
      queue,
      Array.from({ length: 20 }, (_, i) => deadLetter(i)),
    )
  })

  it('shows a page of parsed messages and leaves count and order as they were', async () => {
    const before = await api.get<BrowseResult>(
      `${dlqPath(broker.name, queue)}/messages?limit=5&offset=3`,
    )
    const again = await api.get<BrowseResult>(`${dlqPath(broker.name, queue)}/messages?limit=20`)

    expect(before.status).toBe(200)
    expect(before.body.total).toBe(20)
    expect(before.body.items.map((item) => item.id)).toEqual(['m-3', 'm-4', 'm-5', 'm-6', 'm-7'])
    expect(before.body.items[0]).toMatchObject({
      messageId: 'm-3',
      reason: 'non-retryable',
      originalQueue: 'orders',
      attempts: 3,
      error: { name: 'TypeError', message: 'boom' },
      payload: { n: 3 },
      payloadEncoding: 'json',
      payloadBytes: 7,
    })
    expect(again.body.items.map((item) => item.id)).toEqual(
      Array.from({ length: 20 }, (_, i) => `m-${i}`),
    )
    expect(await broker.count(queue)).toBe(20)
  })

  it('filters by error text, reason and payload with search', async () => {
    const byError = await api.get<BrowseResult>(
      `${dlqPath(broker.name, queue)}/messages?search=${encodeURIComponent('Customer Not')}`,
    )
    const byPayload = await api.get<BrowseResult>(
      `${dlqPath(broker.name, queue)}/messages?search="n":1`,
    )

    expect(byError.body).toMatchObject({ total: 1, items: [{ id: 'm-7' }] })
    expect(byPayload.body.items.map((item) => item.id)).toEqual([
      'm-1',
      'm-10',
      'm-11',
      'm-12',
      'm-13',
      'm-14',
      'm-15',
      'm-16',
      'm-17',
      'm-18',
      'm-19',
    ])
    expect(await broker.count(queue)).toBe(20)
  })
})

describe('browse requests', () => {
  it('answers 404 for a queue that does not exist, and keeps working afterwards', async () => {
    await broker.queue('still-here.dlq')
    await broker.publish('still-here.dlq', [deadLetter(1)])

    const missing = await api.get(`${dlqPath(broker.name, 'nope.dlq')}/messages`)
    const present = await api.get<BrowseResult>(
      `${dlqPath(broker.name, 'still-here.dlq')}/messages`,
    )

    expect(missing.status).toBe(404)
    expect(missing.body['type']).toBe('urn:warren:problem:queue-not-found')
    expect(present.status).toBe(200)
    expect(present.body.total).toBe(1)
  })

  it('answers 404 for a vhost that does not exist', async () => {
    const missing = await api.get(`${dlqPath(`${broker.name}-missing`, 'orders.dlq')}/messages`)
    expect(missing.status).toBe(404)
  })

  it.each([
    ['a limit above the cap', `${dlqPath('/', 'q')}/messages?limit=501`],
    ['a limit of zero', `${dlqPath('/', 'q')}/messages?limit=0`],
    ['a negative offset', `${dlqPath('/', 'q')}/messages?offset=-1`],
    ['a queue name with a control character', `${dlqPath('/', 'a\u0001b')}/messages`],
    ['a 10,000-character queue name', `${dlqPath('/', 'q'.repeat(10_000))}/messages`],
  ])('answers 400 for %s', async (_, path) => {
    const response = await api.get(path)
    expect(response.status).toBe(400)
    expect(response.body['type']).toBe('urn:warren:problem:invalid-request')
  })

  it('browses 100 messages of a 10,000-message queue without changing it', async () => {
    const queue = 'big.dlq'
    await broker.queue(queue)
    await broker.publish(
      queue,
      Array.from({ length: 10_000 }, (_, i) => ({ body: { i }, options: { messageId: `b-${i}` } })),
    )

    const started = performance.now()
    const page = await api.get<BrowseResult>(`${dlqPath(broker.name, queue)}/messages?limit=100`)
    const elapsed = performance.now() - started
    console.log(`browse 100 of 10,000 dead letters: ${elapsed.toFixed(0)} ms`)

    expect(page.body.total).toBe(10_000)
    expect(page.body.items.map((item) => item.id)).toEqual(
      Array.from({ length: 100 }, (_, i) => `b-${i}`),
    )
    expect(await broker.count(queue)).toBe(10_000)
  })
})
