import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { z } from 'zod'
import {
  defineTopology,
  HEADERS,
  MemoryIdempotencyStore,
  NonRetryableError,
  UnroutableError,
  ValidationError,
  WarrenError,
} from '../index.js'
import { FakeBroker, type BrokerLike } from './index.js'

const topology = defineTopology({
  exchanges: { orders: { type: 'topic' }, audit: { type: 'fanout' } },
  queues: {
    'billing.charge': {
      bindings: [{ exchange: 'orders', routingKey: 'order.created' }],
      retry: { delays: ['200ms', '400ms'], maxAttempts: 4 },
    },
    'crm.sync': {
      bindings: [
        { exchange: 'orders', routingKey: 'order.*' },
        { exchange: 'audit', routingKey: '' },
      ],
      retry: false,
    },
    'ledger.all': { bindings: [{ exchange: 'orders', routingKey: 'order.#' }], deadLetter: false },
  },
  messages: {
    'order.created': z.object({ orderId: z.string(), amount: z.number().positive() }),
  },
})

/** A service module as users write it: it only knows `BrokerLike`. */
function startBilling(broker: BrokerLike<typeof topology>, charge: (id: string) => void) {
  return broker.consume('billing.charge', (msg) => charge(msg.body.orderId))
}

let fake: FakeBroker<typeof topology>
beforeEach(() => {
  fake = new FakeBroker({ topology, service: 'billing' })
})
afterEach(async () => {
  await fake.close()
})

describe('FakeBroker', () => {
  it('delivers a published message to the handler with the properties the real broker sets', async () => {
    const charged: string[] = []
    await startBilling(fake, (id) => charged.push(id))
    let seen: Record<string, unknown> = {}
    await fake.consume('crm.sync', (msg) => {
      seen = {
        body: msg.body,
        messageId: msg.messageId,
        attempt: msg.attempt,
        routingKey: msg.routingKey,
        exchange: msg.exchange,
        appId: msg.properties.appId,
        type: msg.properties.type,
        contentType: msg.properties.contentType,
        correlationId: msg.properties.correlationId,
      }
    })
    await fake.publish(
      'orders',
      'order.created',
      { orderId: 'o-1', amount: 12 },
      { messageId: 'm-1', correlationId: 'c-1' },
    )
    await fake.drain()

    expect(charged).toEqual(['o-1'])
    expect(seen).toEqual({
      body: { orderId: 'o-1', amount: 12 },
      messageId: 'm-1',
      attempt: 1,
      routingKey: 'order.created',
      exchange: 'orders',
      appId: 'billing',
      type: 'order.created',
      contentType: 'application/json',
      correlationId: 'c-1',
    })
    expect(fake.published.map((m) => [m.exchange, m.routingKey, m.body])).toEqual([
      ['orders', 'order.created', { orderId: 'o-1', amount: 12 }],
    ])
  })

  it('routes by exchange type: topic * and # patterns, fanout, and the default exchange by queue name', async () => {
    await fake.publish('orders', 'order.created', { orderId: 'o-1', amount: 1 })
    await fake.publish('orders', 'order.eu.shipped', {})
    await fake.publish('audit', 'anything', { who: 'ops' })
    await fake.publish('', 'ledger.all', { direct: true })
    expect(fake.messages('billing.charge')).toHaveLength(1)
    expect(fake.messages('crm.sync').map((m) => m.routingKey)).toEqual([
      'order.created',
      'anything',
    ])
    expect(fake.messages('ledger.all').map((m) => m.routingKey)).toEqual([
      'order.created',
      'order.eu.shipped',
      'ledger.all',
    ])
  })

  it('retries through the tier of each attempt, reusing the last delay, then dead-letters with every header', async () => {
    const seen: { attempt: number; attemptHeader: unknown; arrivedFrom: unknown }[] = []
    await fake.consume('billing.charge', (msg) => {
      const death = (msg.headers['x-death'] as { queue: string }[] | undefined)?.[0]
      seen.push({
        attempt: msg.attempt,
        attemptHeader: msg.headers[HEADERS.attempt],
        arrivedFrom: death?.queue,
      })
      throw new Error(`charge failed on attempt ${msg.attempt}`)
    })
    await fake.publish(
      'orders',
      'order.created',
      { orderId: 'o-7', amount: 5 },
      { messageId: 'm-7' },
    )
    await fake.drain()

    expect(seen).toEqual([
      { attempt: 1, attemptHeader: undefined, arrivedFrom: undefined },
      { attempt: 2, attemptHeader: 1, arrivedFrom: 'billing.charge.retry.200ms' },
      { attempt: 3, attemptHeader: 2, arrivedFrom: 'billing.charge.retry.400ms' },
      { attempt: 4, attemptHeader: 3, arrivedFrom: 'billing.charge.retry.400ms' },
    ])
    const [dead] = fake.deadLetters('billing.charge')
    expect(dead?.body).toEqual({ orderId: 'o-7', amount: 5 })
    expect(dead?.properties.messageId).toBe('m-7')
    expect(dead?.headers).toMatchObject({
      [HEADERS.attempt]: 4,
      [HEADERS.deadLetterReason]: 'max-attempts',
      [HEADERS.originalQueue]: 'billing.charge',
      [HEADERS.originalExchange]: 'orders',
      [HEADERS.originalRoutingKey]: 'order.created',
      [HEADERS.errorName]: 'Error',
      [HEADERS.errorMessage]: 'charge failed on attempt 4',
      [HEADERS.consumer]: `billing@fake:${process.pid}`,
    })
    expect(dead?.headers[HEADERS.firstFailedAt]).toMatch(/^\d{4}-\d{2}-\d{2}T/)
  })

  it('waits out each tier delay on timers when asked, so fake timers control retries', async () => {
    vi.useFakeTimers()
    try {
      const timed = new FakeBroker({ topology, delays: 'timers' })
      const attempts: number[] = []
      await timed.consume('billing.charge', (msg) => {
        attempts.push(msg.attempt)
        if (msg.attempt === 1) throw new Error('not yet')
      })
      await timed.publish('orders', 'order.created', { orderId: 'o-8', amount: 1 })
      await vi.advanceTimersByTimeAsync(199)
      expect(attempts).toEqual([1])
      expect(timed.messages('billing.charge.retry.200ms')).toHaveLength(1)
      await vi.advanceTimersByTimeAsync(1)
      expect(attempts).toEqual([1, 2])
      await timed.drain()
      await timed.close()
    } finally {
      vi.useRealTimers()
    }
  })

  it('holds a delayed publish until its delay passes on timers, and delivers it at once otherwise', async () => {
    vi.useFakeTimers()
    try {
      const timed = new FakeBroker({ topology, delays: 'timers' })
      await timed.publish('audit', '', { n: 1 }, { delay: '90s' })
      expect(timed.messages('crm.sync')).toEqual([])
      await vi.advanceTimersByTimeAsync(90_000)
      expect(timed.messages('crm.sync').map((m) => m.body)).toEqual([{ n: 1 }])
      await timed.close()
    } finally {
      vi.useRealTimers()
    }
    await fake.publish('audit', '', { n: 2 }, { delay: '90s' })
    expect(fake.messages('crm.sync').map((m) => m.body)).toEqual([{ n: 2 }])
  })

  it('holds each item of a batch for its own delay on timers, as the real broker does', async () => {
    vi.useFakeTimers()
    try {
      const timed = new FakeBroker({ topology, delays: 'timers' })
      await timed.publishBatch([
        { exchange: 'audit', routingKey: '', body: { n: 1 }, options: { delay: '1m' } },
        { exchange: 'audit', routingKey: '', body: { n: 2 } },
      ])
      expect(timed.messages('crm.sync').map((m) => m.body)).toEqual([{ n: 2 }])
      await vi.advanceTimersByTimeAsync(60_000)
      expect(timed.messages('crm.sync').map((m) => m.body)).toEqual([{ n: 2 }, { n: 1 }])
      await timed.close()
    } finally {
      vi.useRealTimers()
    }
  })

  it('ticks a schedule only when the test calls tick(), as of the time it gives', async () => {
    const schedule = await fake.schedule('0 0 3 * * *', 'orders', 'order.nightly', { kind: 'n' })
    expect(fake.messages('ledger.all')).toEqual([])

    await fake.tick('orders.order.nightly', new Date('2026-01-01T03:00:00Z'))
    await fake.tick(undefined, new Date('2026-01-02T03:00:00Z'))
    const ticks = fake.messages('ledger.all')
    expect(
      ticks.map((m) => [m.body, m.properties.messageId, m.headers[HEADERS.scheduledAt]]),
    ).toEqual([
      [{ kind: 'n' }, 'orders.order.nightly@2026-01-01T03:00:00.000Z', '2026-01-01T03:00:00.000Z'],
      [{ kind: 'n' }, 'orders.order.nightly@2026-01-02T03:00:00.000Z', '2026-01-02T03:00:00.000Z'],
    ])
    expect(schedule).toMatchObject({ name: 'orders.order.nightly', leader: true })
    await expect(fake.tick('reports.weekly')).rejects.toMatchObject({ code: 'INVALID_OPTIONS' })
    await expect(
      fake.schedule('every minute', 'orders', 'order.nightly', {}),
    ).rejects.toMatchObject({ code: 'INVALID_OPTIONS' })
    await expect(
      fake.schedule('* * * * *', 'orders', 'order.created', { orderId: 'o-1', amount: -1 }),
    ).rejects.toBeInstanceOf(ValidationError)

    await schedule.cancel()
    expect(schedule.nextRun()).toBeNull()
    await expect(fake.tick('orders.order.nightly')).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    })
  })

  it('times a request out when nobody responds, and rejects those still waiting on close', async () => {
    await expect(
      fake.request('orders', 'order.quote', {}, { timeout: '20ms' }),
    ).rejects.toMatchObject({ code: 'TIMEOUT' })
    // Routed to queues nobody consumes: it waits for a reply until the fake closes.
    const waiting = fake.request('orders', 'order.quote', {})
    await fake.close()
    await expect(waiting).rejects.toMatchObject({ code: 'CLOSED' })
  })

  it("names a message by its type, else its routing key: that name's schema applies on both ends", async () => {
    await expect(
      fake.publish(
        'orders',
        'order.audit',
        { orderId: 'o-1', amount: -1 },
        { type: 'order.created' },
      ),
    ).rejects.toBeInstanceOf(ValidationError)
    const notes: unknown[] = []
    await fake.consume('crm.sync', (msg) => {
      notes.push([msg.properties.type, msg.body])
    })
    // The routing key's schema does not apply to a message named otherwise.
    await fake.publish('orders', 'order.created', { text: 'call back' }, { type: 'order.note' })
    await fake.drain()
    expect(notes).toEqual([['order.note', { text: 'call back' }]])
    expect(fake.deadLetters('crm.sync')).toEqual([])
  })

  it('dead-letters a NonRetryableError at once with reason non-retryable', async () => {
    let runs = 0
    await fake.consume('billing.charge', () => {
      runs++
      throw new NonRetryableError('card blocked')
    })
    await fake.publish('orders', 'order.created', { orderId: 'o-2', amount: 1 })
    await fake.drain()
    expect(runs).toBe(1)
    expect(
      fake.deadLetters('billing.charge').map((m) => m.headers[HEADERS.deadLetterReason]),
    ).toEqual(['non-retryable'])
  })

  it('dead-letters a body that is not JSON, or fails its schema, as invalid-payload without running the handler', async () => {
    let runs = 0
    await fake.consume('billing.charge', () => {
      runs++
    })
    fake.sendRaw('orders', 'order.created', 'not json {', { contentType: 'application/json' })
    fake.sendRaw('orders', 'order.created', JSON.stringify({ orderId: 3 }), {
      contentType: 'application/json',
    })
    await fake.drain()
    expect(runs).toBe(0)
    expect(fake.deadLetters('billing.charge').map((m) => m.headers[HEADERS.errorMessage])).toEqual([
      'body is not valid JSON',
      expect.stringMatching(/^message for 'order.created' does not match its schema: orderId:/),
    ])
  })

  it('treats a handler that outlives its timeout as failed', async () => {
    await fake.consume('crm.sync', () => new Promise(() => {}), { timeout: '50ms' })
    await fake.publish('audit', '', {})
    await fake.drain()
    expect(fake.deadLetters('crm.sync').map((m) => m.headers[HEADERS.errorName])).toEqual([
      'TimeoutError',
    ])
  })

  it('dead-letters a message a handler map has no entry for as no-handler, and drops it when the queue has no DLQ', async () => {
    await fake.consume('crm.sync', { 'order.created': () => {} })
    await fake.consume('ledger.all', () => {
      throw new NonRetryableError('never')
    })
    await fake.publish('orders', 'order.refunded', { orderId: 'o-4' })
    await fake.drain()
    expect(fake.deadLetters('crm.sync').map((m) => m.headers[HEADERS.deadLetterReason])).toEqual([
      'no-handler',
    ])
    expect(fake.messages('ledger.all')).toEqual([])
  })

  it('runs a handler once per messageId with an idempotency store', async () => {
    let runs = 0
    await fake.consume(
      'crm.sync',
      () => {
        runs++
      },
      { idempotency: { store: new MemoryIdempotencyStore() } },
    )
    await fake.publish('audit', '', {}, { messageId: 'dup' })
    await fake.publish('audit', '', {}, { messageId: 'dup' })
    await fake.drain()
    expect(runs).toBe(1)
  })

  it('rejects like the real broker: ValidationError sends nothing, UnroutableError, a missing exchange, an unknown queue, after close', async () => {
    await expect(
      fake.publish('orders', 'order.created', { orderId: 'o-5', amount: -1 }),
    ).rejects.toBeInstanceOf(ValidationError)
    expect(fake.published).toEqual([])
    await expect(
      fake.publish('audit', 'x', {}).then(() => fake.publish('orders', 'nobody.listens', {})),
    ).rejects.toBeInstanceOf(UnroutableError)
    // @ts-expect-error an exchange the topology does not declare does not compile either
    await expect(fake.publish('nope', 'x', {})).rejects.toMatchObject({
      code: 'EXCHANGE_NOT_FOUND',
    })
    await expect(fake.consume('no.such.queue' as 'crm.sync', () => {})).rejects.toMatchObject({
      code: 'UNKNOWN_QUEUE',
    })
    await fake.close()
    await expect(fake.publish('audit', '', {})).rejects.toBeInstanceOf(WarrenError)
  })

  it('lets running handlers finish on cancel, leaving later messages in the queue', async () => {
    let release = () => {}
    const finished: number[] = []
    const consumer = await fake.consume(
      'crm.sync',
      async (msg) => {
        await new Promise<void>((resolve) => (release = resolve))
        finished.push((msg.body as { n: number }).n)
      },
      { concurrency: 1 },
    )
    await fake.publish('audit', '', { n: 1 })
    await fake.publish('audit', '', { n: 2 })
    await vi.waitFor(() => expect(finished).toEqual([]))
    const cancelled = consumer.cancel()
    release()
    await cancelled
    expect(finished).toEqual([1])
    expect(fake.messages('crm.sync').map((m) => m.body)).toEqual([{ n: 2 }])
  })
})
