import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import { z } from 'zod'
import { connect, defineTopology, HEADERS, subscription, WarrenError } from '../index.js'
import { createVhost, management, waitFor, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-events')
})
afterAll(async () => {
  await vhost?.delete()
})

const topology = defineTopology({
  exchanges: { 'shop.events': { type: 'topic' } },
  queues: {
    ...subscription('billing', 'shop.events', 'order.created', {
      retry: { delays: ['200ms'], maxAttempts: 2 },
    }),
    ...subscription('shipping', 'shop.events', 'order.created'),
    ...subscription('audit', 'shop.events', 'order.*', { name: 'audit.orders', type: 'classic' }),
  },
  messages: {
    'order.created': z.object({ orderId: z.string() }),
    'order.cancelled': z.object({ orderId: z.string() }),
  },
})

describe('events: one topic exchange, one queue per subscribing service', () => {
  it('gives every subscriber its own copy; a failing subscriber retries and dead-letters alone', async () => {
    const broker = await connect({ url: vhost.url, topology, service: 'shop' })
    try {
      const billing: number[] = []
      const shipping: { orderId: string; attempt: number }[] = []
      const audit: string[] = []
      await broker.consume('billing.order.created', (msg) => {
        billing.push(msg.attempt)
        throw new Error('payment provider down')
      })
      await broker.consume('shipping.order.created', (msg) => {
        expectTypeOf(msg.body).toEqualTypeOf<{ orderId: string }>()
        shipping.push({ orderId: msg.body.orderId, attempt: msg.attempt })
      })
      await broker.consume('audit.orders', (msg) => {
        audit.push(`${msg.routingKey} ${(msg.body as { orderId: string }).orderId}`)
      })

      for (const orderId of ['o-1', 'o-2', 'o-3']) {
        await broker.publish('shop.events', 'order.created', { orderId })
      }
      await broker.publish('shop.events', 'order.cancelled', { orderId: 'o-1' })
      await waitFor(
        async () => (await vhost.count('billing.order.created.dlq')) === 3,
        "billing's dead letters",
      )
      await waitFor(() => shipping.length === 3 && audit.length === 4, 'the other subscribers')

      // Billing tried each order twice (first try + one retry), then dead-lettered it.
      expect(billing.sort()).toEqual([1, 1, 1, 2, 2, 2])
      const dead = await vhost.drain('billing.order.created.dlq')
      expect(dead.map((m) => m.properties.headers?.[HEADERS.deadLetterReason])).toEqual([
        'max-attempts',
        'max-attempts',
        'max-attempts',
      ])
      // The others saw each event once, on the first attempt, and hold no failures.
      expect(shipping.sort((a, b) => a.orderId.localeCompare(b.orderId))).toEqual([
        { orderId: 'o-1', attempt: 1 },
        { orderId: 'o-2', attempt: 1 },
        { orderId: 'o-3', attempt: 1 },
      ])
      expect(audit.sort()).toEqual([
        'order.cancelled o-1',
        'order.created o-1',
        'order.created o-2',
        'order.created o-3',
      ])
      for (const queue of ['shipping.order.created.dlq', 'audit.orders.dlq']) {
        expect(await vhost.count(queue)).toBe(0)
      }
      const bindings = (await management(
        'GET',
        `/exchanges/${encodeURIComponent(vhost.name)}/shop.events/bindings/source`,
      )) as { destination: string; routing_key: string }[]
      expect(bindings.map((b) => `${b.destination} <- ${b.routing_key}`).sort()).toEqual([
        'audit.orders <- order.*',
        'billing.order.created <- order.created',
        'shipping.order.created <- order.created',
      ])
    } finally {
      await broker.close()
    }
  })

  it('asks for a queue name when the pattern has wildcards', () => {
    expect(() => subscription('audit', 'shop.events', 'order.#')).toThrow(WarrenError)
    expect(() => subscription('audit', 'shop.events', 'order.#')).toThrow(
      /give the queue a name without wildcards/,
    )
    expect(
      Object.keys(subscription('audit', 'shop.events', 'order.#', { name: 'audit.all' })),
    ).toEqual(['audit.all'])
  })
})
