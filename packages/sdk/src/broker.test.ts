import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { connect, defineTopology, type Message } from './index.js'
import { createVhost, waitFor, type TestVhost } from './test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-happy')
})
afterAll(async () => {
  await vhost?.delete()
})

const topology = defineTopology({
  exchanges: { orders: { type: 'topic' } },
  queues: {
    'billing.charge': {
      bindings: [{ exchange: 'orders', routingKey: 'order.created' }],
      retry: { delays: ['1s', '10s', '1m'], maxAttempts: 4 },
    },
  },
  messages: {
    'order.created': z.object({ orderId: z.string(), amount: z.number().positive() }),
  },
})

describe('connect, publish and consume', () => {
  it('delivers a published order to the bound queue with its properties, then acks it', async () => {
    const broker = await connect({ url: vhost.url, topology, service: 'billing' })
    try {
      const received: Message<{ orderId: string; amount: number }>[] = []
      const consumer = await broker.consume(
        'billing.charge',
        async (msg) => {
          // The queue binds one routing key with a schema, so the body is typed by it.
          expectTypeOf(msg.body).toEqualTypeOf<{ orderId: string; amount: number }>()
          received.push(msg)
        },
        { prefetch: 50, concurrency: 10, timeout: '30s' },
      )
      await expect(
        // @ts-expect-error amount is missing: the schema types publish() too
        broker.publish('orders', 'order.created', { orderId: 'o-0' }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' })
      await broker.publish('orders', 'order.created', { orderId: 'o-1', amount: 12 })
      await waitFor(() => received.length === 1, 'the order to arrive')
      await consumer.cancel()

      const [msg] = received
      expect(msg?.body).toEqual({ orderId: 'o-1', amount: 12 })
      expect(msg?.attempt).toBe(1)
      expect(msg?.routingKey).toBe('order.created')
      expect(msg?.messageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-/)
      expect(msg?.properties).toMatchObject({
        contentType: 'application/json',
        type: 'order.created',
        appId: 'billing',
        deliveryMode: 2,
      })
      expect(await vhost.count('billing.charge')).toBe(0)
    } finally {
      await broker.close()
    }
  })
})
