import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { TestVhost } from '@warren/test-kit'
import type { WarrenApp } from '../app.js'
import type { DiscoveredQueue } from '../discovery/index.js'
import { eventually, operator, scopedTestApp } from '../test-support/core.js'

type Related = { vhost: string; name: string; messages: number }[]
type QueueList = {
  items: DiscoveredQueue[]
  total: number
  page: number
  pageSize: number
  related: Related
}

describe('/api/queues', () => {
  let vhost: TestVhost
  let warren: WarrenApp
  let remove: (() => Promise<void>) | undefined
  const list = async (query: string) => {
    const response = await warren.app.request(`/api/queues?vhost=${vhost.encoded}&${query}`, {
      headers: operator,
    })
    expect(response.status).toBe(200)
    return (await response.json()) as QueueList
  }

  beforeAll(async () => {
    ;({ vhost, warren, remove } = await scopedTestApp('core-queues', async (vhost) => {
      await vhost.withChannel(async (ch) => {
        await ch.assertQueue('shop.orders', {
          durable: true,
          arguments: {
            'x-dead-letter-exchange': '',
            'x-dead-letter-routing-key': 'shop.orders.dlq',
          },
        })
        await ch.assertQueue('shop.orders.dlq', { durable: true })
        await ch.assertExchange('shop', 'topic', { durable: true })
        await ch.bindQueue('shop.orders', 'shop', 'order.created')
        await ch.bindQueue('shop.orders', 'shop', 'order.*.retried')
        await ch.assertQueue('shop.emails', { durable: true })
        await ch.assertQueue('audit.trail', { durable: true })
        for (let i = 0; i < 3; i++) ch.sendToQueue('shop.emails', Buffer.from(`email ${i}`))
        ch.sendToQueue('audit.trail', Buffer.from('one'))
        await ch.checkQueue('shop.emails')
      })
    }))
  })

  afterAll(() => remove?.())

  it('lists every queue of a vhost with role, counts, rates and links', async () => {
    const body = await list('')
    expect(body.total).toBe(4)
    expect(body.items.map((q) => q.name)).toEqual([
      'audit.trail',
      'shop.emails',
      'shop.orders',
      'shop.orders.dlq',
    ])
    expect(body.items[2]).toMatchObject({
      vhost: vhost.name,
      name: 'shop.orders',
      type: 'classic',
      role: 'work',
      deadLetterQueue: 'shop.orders.dlq',
      retryQueues: [],
      rates: { publish: expect.any(Number), deliver: expect.any(Number) },
    })
  })

  it('gives each queue the exchanges bound to it and their routing keys (the default one left out)', async () => {
    const byName = new Map((await list('')).items.map((q) => [q.name, q]))
    expect(byName.get('shop.orders')?.bindings).toEqual([
      { exchange: 'shop', routingKey: 'order.*.retried' },
      { exchange: 'shop', routingKey: 'order.created' },
    ])
    expect(byName.get('shop.emails')?.bindings).toEqual([])
  })

  it('filters by search text and role', async () => {
    expect((await list('search=SHOP.O')).items.map((q) => q.name)).toEqual([
      'shop.orders',
      'shop.orders.dlq',
    ])
    expect((await list('role=dead-letter')).items.map((q) => q.name)).toEqual(['shop.orders.dlq'])
  })

  it("counts the queues a page's queues link to beside the page, when they are not on it", async () => {
    const body = await list('search=shop.orders&sort=name&pageSize=1')
    expect(body.items.map((q) => q.name)).toEqual(['shop.orders'])
    expect(body.related).toEqual([{ vhost: vhost.name, name: 'shop.orders.dlq', messages: 0 }])
  })

  it('sorts by message count, largest first, once the broker has reported the depths', async () => {
    // Depths come from the management API's statistics, which lag by a few seconds.
    const body = await eventually(async () => {
      const sorted = await list('sort=messages&order=desc')
      return sorted.items[1]?.messages === 1 ? sorted : undefined
    })
    expect(body.items.slice(0, 2).map((q) => [q.name, q.messages])).toEqual([
      ['shop.emails', 3],
      ['audit.trail', 1],
    ])
  })

  it('pages with page and pageSize and caps the page size at 500', async () => {
    const second = await list('pageSize=3&page=2')
    expect(second).toMatchObject({ total: 4, page: 2, pageSize: 3 })
    expect(second.items.map((q) => q.name)).toEqual(['shop.orders.dlq'])
    const tooBig = await warren.app.request(`/api/queues?pageSize=501`, { headers: operator })
    expect(tooBig.status).toBe(400)
    expect(await tooBig.json()).toMatchObject({ title: 'Invalid request' })
  })

  it('shows one queue with its links and arguments', async () => {
    const response = await warren.app.request(`/api/queues/${vhost.encoded}/shop.orders`, {
      headers: operator,
    })
    expect(response.status).toBe(200)
    const body = (await response.json()) as {
      queue: DiscoveredQueue
      related: Related
      arguments: Record<string, unknown>
    }
    expect(body.related).toEqual([{ vhost: vhost.name, name: 'shop.orders.dlq', messages: 0 }])
    expect(body.queue).toMatchObject({
      name: 'shop.orders',
      deadLetterQueue: 'shop.orders.dlq',
      bindings: [
        { exchange: 'shop', routingKey: 'order.*.retried' },
        { exchange: 'shop', routingKey: 'order.created' },
      ],
    })
    // RabbitMQ 4.x also names the type it gave the queue (its default_queue_type, classic).
    const { 'x-queue-type': type, ...declared } = body.arguments
    expect(declared).toEqual({
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': 'shop.orders.dlq',
    })
    expect([undefined, 'classic']).toContain(type)
  })

  it("gives a queue's depth history from the management API's samples", async () => {
    const depth = await eventually(async () => {
      const response = await warren.app.request(`/api/queues/${vhost.encoded}/shop.emails`, {
        headers: operator,
      })
      const body = (await response.json()) as {
        history: { depth: { at: string; messages: number; ready: number | null }[] }
      }
      // The first sample may predate the publishes by a few milliseconds: wait for a later one.
      return (body.history.depth.at(-1)?.messages ?? 0) > 0 ? body.history.depth : undefined
    })
    expect(depth.at(-1)).toMatchObject({ messages: 3, ready: 3 })
    expect(Date.parse(depth.at(-1)?.at ?? '')).toBeGreaterThan(Date.now() - 10 * 60_000)
  })

  it('answers 404 problem for a queue that does not exist', async () => {
    const response = await warren.app.request(`/api/queues/${vhost.encoded}/no.such.queue`, {
      headers: operator,
    })
    expect(response.status).toBe(404)
    expect(response.headers.get('content-type')).toContain('application/problem+json')
  })
})
