import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BROKER, type TestVhost } from '@warren/test-kit'
import type { WarrenApp } from '../app.js'
import { createDiscovery, type DiscoveredQueue } from '../discovery/index.js'
import { AmqpPool } from '../rabbit/amqp.js'
import { createManagementClient } from '../rabbit/management.js'
import { createPrometheusClient } from '../rabbit/prometheus.js'
import { createLogger } from '../security/logger.js'
import { withBrokerStats, type StatsAwareManagement } from '../stats/index.js'
import { operator, scopedTestApp } from '../test-support/core.js'
import { listQueues } from './queues-list.js'
import { queueListQuery } from './queues-query.js'

// 5,000 queues in a vhost of this file's own: the list is filtered, sorted and paged by the
// server, and one page is all that is sent or, without statistics, declared.

const ORDERS = 4_950
const BILLING = 50
const pad = (n: number, width: number) => String(n).padStart(width, '0')
const orders = (n: number) => `orders.${pad(n, 4)}`
const billing = (n: number) => `billing.${pad(n, 3)}`
/** The one queue with messages. */
const DEEP = billing(7)
const DEEP_MESSAGES = 3

interface QueueList {
  items: DiscoveredQueue[]
  total: number
  page: number
  pageSize: number
  related: { vhost: string; name: string; messages: number }[]
}
const names = (list: { items: { name: string }[] }) => list.items.map((q) => q.name)

/** The broker's management API as one that keeps no statistics answers: no counts anywhere. */
function statisticsDenied(): typeof fetch {
  const COUNTS = ['messages', 'messages_ready', 'messages_unacknowledged', 'consumers']
  const strip = (queue: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(queue).filter(([field]) => !COUNTS.includes(field)))
  return async (input, init) => {
    const response = await fetch(input, init)
    const url = new URL(
      typeof input === 'string' ? input : input instanceof URL ? input : input.url,
    )
    if (!response.ok) return response
    const body = (await response.json()) as Record<string, unknown> | Record<string, unknown>[]
    if (url.pathname === '/api/overview') return Response.json({ ...body, disable_stats: true })
    if (!url.pathname.startsWith('/api/queues')) return Response.json(body)
    if (Array.isArray(body)) return Response.json(body.map(strip))
    const items = body.items as Record<string, unknown>[]
    return Response.json({ ...body, items: items.map(strip) })
  }
}

/** A pool that notes the name of every queue it is asked to declare passively. */
class CountingPool extends AmqpPool {
  readonly declared: string[] = []
  override withChannel: AmqpPool['withChannel'] = (vhost, use) =>
    super.withChannel(vhost, (channel) =>
      use(
        new Proxy(channel, {
          get: (target, property) => {
            if (property === 'checkQueue') {
              return (name: string) => (this.declared.push(name), target.checkQueue(name))
            }
            const value: unknown = Reflect.get(target, property)
            return typeof value === 'function' ? value.bind(target) : value
          },
        }),
      ),
    )
}

describe('/api/queues over 5,000 queues', () => {
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
    ;({ vhost, warren, remove } = await scopedTestApp('core-queues-many', async (vhost) => {
      await vhost.withChannel(async (ch) => {
        // One channel, every declare in flight at once.
        await Promise.all([
          ...Array.from({ length: ORDERS }, (_, n) => ch.assertQueue(orders(n))),
          ...Array.from({ length: BILLING }, (_, n) => ch.assertQueue(billing(n))),
        ])
        for (let i = 0; i < DEEP_MESSAGES; i++) ch.sendToQueue(DEEP, Buffer.from(`bill ${i}`))
        await ch.checkQueue(DEEP)
      })
    }))
  }, 120_000)

  afterAll(() => remove?.(), 120_000)

  it('counts all 5,000 and sends one page of them', async () => {
    const body = await list('pageSize=50')
    expect(body.total).toBe(ORDERS + BILLING)
    expect(body).toMatchObject({ page: 1, pageSize: 50 })
    expect(names(body)).toEqual(Array.from({ length: 50 }, (_, n) => billing(n)))
  })

  it('sorts by name, last names first, and pages through them', async () => {
    const last = await list('sort=name&order=desc&pageSize=10')
    expect(names(last)).toEqual(Array.from({ length: 10 }, (_, n) => orders(ORDERS - 1 - n)))
    const second = await list('sort=name&order=desc&pageSize=10&page=2')
    expect(names(second)[0]).toBe(orders(ORDERS - 11))
    expect(second.total).toBe(ORDERS + BILLING)
  })

  it('narrows the total by search and pages within what it found', async () => {
    const found = await list('search=BILLING.0&pageSize=20&page=2')
    expect(found.total).toBe(BILLING)
    expect(names(found)).toEqual(Array.from({ length: 20 }, (_, n) => billing(20 + n)))
    const one = await list(`search=${orders(1234)}`)
    expect(one.total).toBe(1)
    expect(names(one)).toEqual([orders(1234)])
  })

  it('answers an empty page past the end with the whole total', async () => {
    const past = await list('pageSize=500&page=11')
    expect(past).toMatchObject({ items: [], total: ORDERS + BILLING, page: 11 })
  })

  describe('on a broker that keeps no statistics', () => {
    let pool: CountingPool
    let management: StatsAwareManagement
    const listed = async (query: Record<string, string>) => {
      pool.declared.length = 0
      const discovery = createDiscovery(management, 0, Date.now, undefined, [vhost.name])
      return listQueues({ discovery, management }, queueListQuery.parse(query))
    }

    beforeAll(() => {
      pool = new CountingPool({ urls: [BROKER.amqp] })
      management = withBrokerStats(
        createManagementClient({
          url: BROKER.management,
          user: BROKER.user,
          password: BROKER.password,
          fetch: statisticsDenied(),
        }),
        {
          prometheus: createPrometheusClient({ urls: [BROKER.prometheus] }),
          pool,
          vhosts: [vhost.name],
          log: createLogger(
            (text) => text,
            () => {},
          ),
        },
      )
    })

    afterAll(async () => {
      management.close()
      await pool.close()
    })

    it('declares only the page it sends when sorting by name', async () => {
      const body = await listed({ vhost: vhost.name, sort: 'name', order: 'desc', pageSize: '25' })
      expect(body.total).toBe(ORDERS + BILLING)
      expect(names(body)).toEqual(Array.from({ length: 25 }, (_, n) => orders(ORDERS - 1 - n)))
      expect(pool.declared.sort()).toEqual(names(body).sort())
      expect(body.items.every((q) => q.messages === 0 && q.consumers === 0)).toBe(true)
    })

    it('declares every queue the search leaves, and no other, when sorting by depth', async () => {
      const body = await listed({
        vhost: vhost.name,
        search: 'billing',
        sort: 'messages',
        order: 'desc',
      })
      expect(body.total).toBe(BILLING)
      expect(body.items[0]).toMatchObject({ name: DEEP, messages: DEEP_MESSAGES })
      expect(pool.declared.sort()).toEqual(Array.from({ length: BILLING }, (_, n) => billing(n)))
    })
  })
})
