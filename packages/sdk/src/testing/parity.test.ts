import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { connect, defineTopology, HEADERS, NonRetryableError } from '../index.js'
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
  exchanges: { orders: { type: 'topic' } },
  queues: {
    'billing.charge': {
      bindings: [{ exchange: 'orders', routingKey: 'order.created' }],
      retry: { delays: ['200ms'], maxAttempts: 3 },
    },
  },
  messages: { 'order.created': z.object({ orderId: z.string(), amount: z.number() }) },
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
  /** Waits until the handlers are done and `deadLetters` dead letters are in the DLQ. */
  settle(done: () => boolean, deadLetters: number): Promise<void>
  deadLetters(): Promise<{ reason: unknown; body: unknown }[]>
  close(): Promise<void>
}

const backends: [string, () => Promise<Backend>][] = [
  [
    'the real broker',
    async () => {
      const broker = await connect({ url: vhost.url, topology, service: 'billing' })
      return {
        broker,
        settle: async (done, deadLetters) => {
          await waitFor(done, 'the handlers')
          await waitFor(
            async () => (await vhost.count('billing.charge.dlq')) === deadLetters,
            'the dead letters',
          )
        },
        deadLetters: async () =>
          (await vhost.drain('billing.charge.dlq')).map((m) => ({
            reason: m.properties.headers?.[HEADERS.deadLetterReason],
            body: JSON.parse(m.content.toString()) as unknown,
          })),
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
        settle: () => fake.drain(),
        deadLetters: async () =>
          fake.deadLetters('billing.charge').map((m) => ({
            reason: m.headers[HEADERS.deadLetterReason],
            body: m.body,
          })),
        close: () => fake.close(),
      }
    },
  ],
]

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
})
