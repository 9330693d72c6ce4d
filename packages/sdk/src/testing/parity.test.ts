import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { connect, defineTopology, HEADERS, NonRetryableError, RemoteError } from '../index.js'
import type { Message } from '../index.js'
import { createVhost, waitFor, type TestVhost } from '../test-support/vhost.js'
import { FakeBroker, type BrokerLike } from './index.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-fake-parity')
})
afterAll(async () => {
  await vhost?.delete()
})

const topology = defineTopology({
  exchanges: { orders: { type: 'topic' }, pricing: { type: 'direct' }, jobs: { type: 'direct' } },
  queues: {
    'billing.charge': {
      bindings: [{ exchange: 'orders', routingKey: 'order.created' }],
      retry: { delays: ['200ms'], maxAttempts: 3 },
    },
    'shipping.later': {
      bindings: [{ exchange: 'orders', routingKey: 'order.shipped' }],
      retry: false,
    },
    'search.index': { bindings: [{ exchange: 'orders', routingKey: 'index.#' }], retry: false },
    'pricing.quote': { bindings: [{ exchange: 'pricing', routingKey: 'quote.get' }], retry: false },
    'reports.nightly': {
      bindings: [{ exchange: 'jobs', routingKey: 'report.nightly' }],
      retry: false,
    },
  },
  messages: {
    'order.created': z.object({ orderId: z.string(), amount: z.number() }),
    'quote.get': z.object({ sku: z.string() }),
  },
})

/** The service under test: written once against BrokerLike. */
async function startBilling(broker: BrokerLike<typeof topology>, charged: string[]) {
  const failedOnce = new Set<string>()
  await broker.consume('billing.charge', (msg) => {
    const { orderId, amount } = msg.body
    if (amount > 100) throw new NonRetryableError(`order ${orderId} needs approval`)
    if (orderId.startsWith('flaky') && !failedOnce.has(orderId)) {
      failedOnce.add(orderId)
      throw new Error('gateway timeout')
    }
    charged.push(`${orderId}@${msg.attempt}`)
  })
}

interface Backend {
  broker: BrokerLike<typeof topology>
  /** Waits until `done` holds and `deadLetters` dead letters are in `queue`'s DLQ. */
  settle(done: () => boolean, deadLetters: number, queue?: string): Promise<void>
  deadLetters(queue?: string): Promise<{ reason: unknown; body: unknown }[]>
  /** Lets schedule `name` tick once: the real one ticks every second by itself. */
  tick(name: string): Promise<void>
  close(): Promise<void>
}

const backends: [string, () => Promise<Backend>][] = [
  [
    'the real broker',
    async () => {
      const broker = await connect({ url: vhost.url, topology, service: 'billing' })
      return {
        broker,
        settle: async (done, deadLetters, queue = 'billing.charge') => {
          await waitFor(done, 'the handlers')
          await waitFor(
            async () => (await vhost.count(`${queue}.dlq`)) === deadLetters,
            'the dead letters',
          )
        },
        deadLetters: async (queue = 'billing.charge') =>
          (await vhost.drain(`${queue}.dlq`)).map((m) => ({
            reason: m.properties.headers?.[HEADERS.deadLetterReason],
            body: JSON.parse(m.content.toString()) as unknown,
          })),
        tick: () => Promise.resolve(),
        close: () => broker.close(),
      }
    },
  ],
  [
    'FakeBroker',
    async () => {
      const fake = new FakeBroker({ topology, service: 'billing' })
      return {
        broker: fake,
        settle: async (done) => {
          await fake.drain()
          expect(done()).toBe(true)
        },
        deadLetters: async (queue = 'billing.charge') =>
          fake.deadLetters(queue).map((m) => ({
            reason: m.headers[HEADERS.deadLetterReason],
            body: m.body,
          })),
        tick: (name) => fake.tick(name),
        close: () => fake.close(),
      }
    },
  ],
]

/** What a user sees of a received message, the same on both backends. */
function seen(msg: Message) {
  return { body: msg.body, routingKey: msg.routingKey, type: msg.properties.type }
}

describe.each(backends)('the same service on %s', (_, open) => {
  it('charges, retries a transient failure once, and dead-letters what needs approval', async () => {
    const backend = await open()
    try {
      const charged: string[] = []
      await startBilling(backend.broker, charged)
      await backend.broker.publish('orders', 'order.created', { orderId: 'o-1', amount: 10 })
      await backend.broker.publish('orders', 'order.created', { orderId: 'flaky-2', amount: 20 })
      await backend.broker.publish('orders', 'order.created', { orderId: 'o-3', amount: 500 })
      await backend.settle(() => charged.length === 2, 1)

      expect(charged.sort()).toEqual(['flaky-2@2', 'o-1@1'])
      expect(await backend.deadLetters()).toEqual([
        { reason: 'non-retryable', body: { orderId: 'o-3', amount: 500 } },
      ])
      await expect(
        backend.broker.publish('orders', 'order.created', { orderId: 'o-4', amount: 'x' as never }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
      await expect(backend.broker.publish('orders', 'order.nobody', {})).rejects.toMatchObject({
        code: 'UNROUTABLE',
      })
    } finally {
      await backend.close()
    }
  })

  it('delivers a delayed publish, and each message of a batch after its own delay, validating all first', async () => {
    const backend = await open()
    try {
      const received: ReturnType<typeof seen>[] = []
      await backend.broker.consume('shipping.later', (msg) => {
        received.push(seen(msg))
      })
      await backend.broker.publish('orders', 'order.shipped', { n: 1 }, { delay: '300ms' })
      await expect(
        backend.broker.publishBatch([
          { exchange: 'orders', routingKey: 'order.shipped', body: { n: 2 } },
          {
            exchange: 'orders',
            routingKey: 'order.created',
            body: { orderId: 'bad' },
            options: { delay: '200ms' },
          },
        ]),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
      await backend.broker.publishBatch([
        {
          exchange: 'orders',
          routingKey: 'order.shipped',
          body: { n: 3 },
          options: { delay: '200ms' },
        },
        { exchange: 'orders', routingKey: 'order.shipped', body: { n: 4 } },
      ])
      await backend.settle(() => received.length === 3, 0, 'shipping.later')

      expect(received.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
        [1, 3, 4].map((n) => ({ body: { n }, routingKey: 'order.shipped', type: 'order.shipped' })),
      )
    } finally {
      await backend.close()
    }
  })

  it('answers a request, and rejects with RemoteError when the responder throws', async () => {
    const backend = await open()
    try {
      await backend.broker.respond('pricing.quote', (msg) => {
        if (msg.body.sku === 'none') throw new NonRetryableError('no such sku')
        return { sku: msg.body.sku, price: 12 }
      })
      const reply = z.object({ sku: z.string(), price: z.number() })
      await expect(
        backend.broker.request('pricing', 'quote.get', { sku: 'A-1' }, { reply }),
      ).resolves.toEqual({ sku: 'A-1', price: 12 })
      const failed = backend.broker.request('pricing', 'quote.get', { sku: 'none' })
      await expect(failed).rejects.toBeInstanceOf(RemoteError)
      await expect(failed).rejects.toMatchObject({
        code: 'REMOTE_ERROR',
        remote: { name: 'NonRetryableError', message: 'no such sku', code: 'NON_RETRYABLE' },
      })
      await expect(
        backend.broker.request('pricing', 'quote.get', { sku: 1 as never }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
      await expect(backend.broker.request('pricing', 'quote.nowhere', {})).rejects.toMatchObject({
        code: 'UNROUTABLE',
      })
    } finally {
      await backend.close()
    }
  })

  it('consumes a batch with one outcome per message: the failed one alone is dead-lettered', async () => {
    const backend = await open()
    try {
      const batches: unknown[][] = []
      await backend.broker.consumeBatch(
        'search.index',
        (messages) => {
          batches.push(messages.map((m) => m.body))
          return messages.map((m) =>
            (m.body as { n: number }).n === 2 ? new Error('cannot index 2') : 'ack',
          )
        },
        { size: 3, wait: '2s' },
      )
      await backend.broker.publishBatch(
        [1, 2, 3].map((n) => ({ exchange: 'orders', routingKey: 'index.doc', body: { n } })),
      )
      await backend.settle(() => batches.length === 1, 1, 'search.index')

      expect(batches).toEqual([[{ n: 1 }, { n: 2 }, { n: 3 }]])
      expect(await backend.deadLetters('search.index')).toEqual([
        { reason: 'max-attempts', body: { n: 2 } },
      ])
    } finally {
      await backend.close()
    }
  })

  it("publishes a schedule's tick with its name and tick in the messageId and headers", async () => {
    const backend = await open()
    try {
      const ticks: Message[] = []
      await backend.broker.consume('reports.nightly', (msg) => {
        ticks.push(msg)
      })
      const schedule = await backend.broker.schedule('* * * * * *', 'jobs', 'report.nightly', {
        kind: 'nightly',
      })
      await backend.tick(schedule.name)
      await backend.settle(() => ticks.length >= 1, 0, 'reports.nightly')
      await schedule.cancel()

      const [tick] = ticks
      const at = String(tick?.headers[HEADERS.scheduledAt])
      expect(schedule.name).toBe('jobs.report.nightly')
      expect(tick?.body).toEqual({ kind: 'nightly' })
      expect(tick?.messageId).toBe(`jobs.report.nightly@${at}`)
      expect(new Date(at).toISOString()).toBe(at)
    } finally {
      await backend.close()
    }
  })
})
