import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { connect, defineTopology, HEADERS } from '../index.js'
import { createVhost, waitFor, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-handlers')
})
afterAll(async () => {
  await vhost?.delete()
})

const topology = defineTopology({
  exchanges: { orders: { type: 'topic' } },
  queues: {
    'crm.sync': {
      bindings: [{ exchange: 'orders', routingKey: 'order.*' }],
      retry: false,
    },
  },
  messages: {
    'order.created': z.object({ orderId: z.string() }),
    'order.cancelled': z.object({ orderId: z.string(), reason: z.string() }),
  },
})

describe('a handler per message name', () => {
  it('routes each message to the handler of its name and dead-letters a name without one as no-handler', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      const seen: string[] = []
      await broker.consume('crm.sync', {
        'order.created': (msg) => {
          expectTypeOf(msg.body).toEqualTypeOf<{ orderId: string }>()
          seen.push(`created ${msg.body.orderId}`)
        },
        'order.cancelled': (msg) => {
          seen.push(`cancelled ${msg.body.orderId}: ${msg.body.reason}`)
        },
      })
      await broker.publish('orders', 'order.created', { orderId: 'o-1' })
      await broker.publish('orders', 'order.cancelled', { orderId: 'o-1', reason: 'late' })
      await broker.publish('orders', 'order.shipped', { orderId: 'o-1' }, { messageId: 'ship-1' })
      await waitFor(async () => (await vhost.count('crm.sync.dlq')) === 1, 'the dead letter')
      await waitFor(() => seen.length === 2, 'both handled')

      expect(seen).toEqual(['created o-1', 'cancelled o-1: late'])
      const [dead] = await vhost.drain('crm.sync.dlq')
      expect(dead?.properties.messageId).toBe('ship-1')
      expect(dead?.properties.headers).toMatchObject({
        [HEADERS.deadLetterReason]: 'no-handler',
        [HEADERS.errorMessage]: "no handler on 'crm.sync' for message 'order.shipped'",
        [HEADERS.originalRoutingKey]: 'order.shipped',
      })
    } finally {
      await broker.close()
    }
  })
})
