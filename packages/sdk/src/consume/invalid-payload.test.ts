import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { connect, defineTopology, HEADERS } from '../index.js'
import { createVhost, waitFor, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-invalid')
})
afterAll(async () => {
  await vhost?.delete()
})

const topology = defineTopology({
  exchanges: { orders: { type: 'direct' } },
  queues: {
    'shipping.label': {
      bindings: [{ exchange: 'orders', routingKey: 'order.paid' }],
      retry: { delays: ['200ms'], maxAttempts: 3 },
    },
  },
  messages: { 'order.paid': z.object({ orderId: z.string(), total: z.number() }) },
})

describe('a message the handler cannot read', () => {
  it('goes to the DLQ as invalid-payload, without running the handler, when its body fails the schema or is not JSON', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      const handled: unknown[] = []
      await broker.consume('shipping.label', (msg) => {
        handled.push(msg.body)
      })
      const raw = await (await vhost.raw()).createChannel()
      // Another service that bypasses the SDK: one body of the wrong shape, one not JSON at all.
      raw.publish('orders', 'order.paid', Buffer.from(JSON.stringify({ orderId: 42 })), {
        contentType: 'application/json',
        messageId: 'wrong-shape',
      })
      raw.publish('orders', 'order.paid', Buffer.from('<order id="o-1"/>'), {
        messageId: 'not-json',
      })
      await raw.close()
      await broker.publish('orders', 'order.paid', { orderId: 'o-2', total: 10 })
      await waitFor(async () => (await vhost.count('shipping.label.dlq')) === 2, 'two dead letters')
      await waitFor(() => handled.length === 1, 'the valid order')

      const dead = await vhost.drain('shipping.label.dlq')
      const byId = Object.fromEntries(dead.map((m) => [m.properties.messageId, m]))
      expect(Object.keys(byId).sort()).toEqual(['not-json', 'wrong-shape'])
      for (const message of dead) {
        expect(message.properties.headers).toMatchObject({
          [HEADERS.deadLetterReason]: 'invalid-payload',
          [HEADERS.originalQueue]: 'shipping.label',
          [HEADERS.originalRoutingKey]: 'order.paid',
          [HEADERS.attempt]: 1,
        })
      }
      expect(byId['wrong-shape']?.properties.headers?.[HEADERS.errorName]).toBe('ValidationError')
      expect(byId['wrong-shape']?.properties.headers?.[HEADERS.errorMessage]).toContain('orderId')
      expect(byId['not-json']?.content.toString()).toBe('<order id="o-1"/>')
      expect(byId['not-json']?.properties.headers?.[HEADERS.errorMessage]).toBe(
        'body is not valid JSON',
      )
      expect(handled).toEqual([{ orderId: 'o-2', total: 10 }])
    } finally {
      await broker.close()
    }
  })
})
