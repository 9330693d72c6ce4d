import { connect, defineTopology, NonRetryableError } from '@warren/sdk'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestVhost } from '@warren/test-kit'
import { createApp, type WarrenApp } from '../app.js'
import { eventually, operator, tempDir, testConfig } from '../test-support/core.js'
import { deadLetteredTime } from './head.js'

const TWO_MINUTES_AGO = new Date(Date.now() - 120_000).toISOString()

describe('the dead-lettered time of a message', () => {
  const xDeath = [{ time: { '!': 'timestamp', value: Date.parse('2026-01-02T00:00:00Z') / 1000 } }]

  it('comes from warren-last-failed-at before x-death and the timestamp property', () => {
    expect(
      deadLetteredTime({
        deadLetteredAt: '2026-01-03T00:00:00.000Z',
        properties: { timestamp: '2026-01-01T00:00:00.000Z', headers: { 'x-death': xDeath } },
      }),
    ).toBe(Date.parse('2026-01-03T00:00:00Z'))
  })

  it('falls back to the timestamp property when no header tells when', () => {
    expect(
      deadLetteredTime({ deadLetteredAt: null, properties: { timestamp: '2026-01-01T00:00:00Z' } }),
    ).toBe(Date.parse('2026-01-01T00:00:00Z'))
  })

  it('is null for a message that carries no time at all', () => {
    expect(deadLetteredTime({ deadLetteredAt: null, properties: {} })).toBeNull()
  })
})

describe('oldest dead-letter age on quorum DLQs', () => {
  let vhost: Awaited<ReturnType<typeof createTestVhost>>
  let dir: Awaited<ReturnType<typeof tempDir>>
  let warren: WarrenApp
  const get = async <T>(path: string) => {
    const response = await warren.app.request(path, { headers: operator })
    expect(response.status).toBe(200)
    return (await response.json()) as T
  }
  type Item = { name: string; messages: number; oldestAgeMs: number | null; type: string }
  const browse = (name: string) =>
    get(`/api/dead-letters/${vhost.encoded}/${encodeURIComponent(name)}/messages?limit=10`)
  /** The list entry of a DLQ once a browse has seen its dead letters. */
  const deadLetterQueue = async (name: string, messages: number) => {
    await eventually(async () => {
      const { messageCount } = await vhost.withChannel((ch) => ch.checkQueue(name))
      return messageCount === messages ? true : undefined
    })
    await browse(name)
    return eventually(async () => {
      const body = await get<{ items: Item[] }>(`/api/dead-letters?vhost=${vhost.encoded}`)
      const item = body.items.find((q) => q.name === name)
      return item?.messages === messages && item.oldestAgeMs !== null ? item : undefined
    })
  }

  beforeAll(async () => {
    vhost = await createTestVhost('core-oldest')
    dir = await tempDir()
    await vhost.withChannel(async (ch) => {
      const quorum = { 'x-queue-type': 'quorum' }
      for (const queue of ['orders', 'payments']) {
        await ch.assertQueue(queue, {
          durable: true,
          arguments: {
            ...(queue === 'orders' ? quorum : {}),
            'x-dead-letter-exchange': '',
            'x-dead-letter-routing-key': `${queue}.dlq`,
          },
        })
        await ch.assertQueue(`${queue}.dlq`, { durable: true, arguments: quorum })
      }
      // What the SDK publishes into a DLQ: warren-* headers, and here no timestamp property.
      for (const [i, failedAt] of [TWO_MINUTES_AGO, new Date().toISOString()].entries()) {
        ch.sendToQueue('orders.dlq', Buffer.from(JSON.stringify({ order: i })), {
          persistent: true,
          messageId: `order-${i}`,
          contentType: 'application/json',
          headers: {
            'warren-dead-letter-reason': 'max-attempts',
            'warren-original-queue': 'orders',
            'warren-attempt': 3,
            'warren-error-name': 'Error',
            'warren-error-message': 'card declined',
            'warren-first-failed-at': failedAt,
            'warren-last-failed-at': failedAt,
          },
        })
      }
      // What the broker dead-letters itself (an expired message): only x-death tells when.
      ch.sendToQueue('payments', Buffer.from('{}'), { persistent: true, expiration: '0' })
      await ch.checkQueue('orders.dlq')
    })
    warren = createApp(
      testConfig(dir.path, {
        WARREN_VHOSTS: vhost.name,
        WARREN_ALERT_DEAD_LETTER_AGE: '1m',
        // Far above what this vhost does, so only the age rule speaks about it.
        WARREN_ALERT_FAILURE_RATIO: '1',
      }),
    )
  })

  afterAll(async () => {
    try {
      await warren?.close()
    } finally {
      await vhost?.remove()
      await dir?.remove()
    }
  })

  it('knows no age of a DLQ nobody has browsed, and takes no message to learn one', async () => {
    const body = await eventually(async () => {
      const list = await get<{ items: Item[] }>(`/api/dead-letters?vhost=${vhost.encoded}`)
      return list.items.find((q) => q.name === 'orders.dlq' && q.messages === 2) ? list : undefined
    })
    expect(body.items.find((q) => q.name === 'orders.dlq')?.oldestAgeMs).toBeNull()
    // Nothing was delivered: the first browse sees no message delivered before.
    const page = await get<{ items: { headers: Record<string, unknown> }[] }>(
      `/api/dead-letters/${vhost.encoded}/orders.dlq/messages?limit=10`,
    )
    expect(page.items.map((m) => m.headers['x-delivery-count'] ?? 0)).toEqual([0, 0])
  })

  it('GET /api/dead-letters ages a quorum DLQ by the warren-last-failed-at a browse saw', async () => {
    const item = await deadLetterQueue('orders.dlq', 2)
    expect(item.oldestAgeMs).toBeGreaterThanOrEqual(119_000)
    expect(item.oldestAgeMs).toBeLessThan(10 * 60_000)
  })

  it('ages a message the broker dead-lettered by its x-death time', async () => {
    const item = await deadLetterQueue('payments.dlq', 1)
    expect(item.oldestAgeMs).toBeGreaterThanOrEqual(0)
    expect(item.oldestAgeMs).toBeLessThan(10 * 60_000)
  })

  it('reading the age leaves the dead letters where they were, in order', async () => {
    await deadLetterQueue('orders.dlq', 2)
    const page = await get<{ total: number; items: { messageId: string }[] }>(
      `/api/dead-letters/${vhost.encoded}/orders.dlq/messages?limit=10`,
    )
    expect(page.total).toBe(2)
    expect(page.items.map((m) => m.messageId)).toEqual(['order-0', 'order-1'])
  })

  it('gives an age to what the SDK dead-letters on its default (quorum) topology once browsed', async () => {
    const topology = defineTopology({
      exchanges: { shop: { type: 'topic' } },
      queues: { 'sdk.orders': { bindings: [{ exchange: 'shop', routingKey: 'order.placed' }] } },
    })
    const broker = await connect({ url: vhost.url, topology, service: 'oldest-age-test' })
    try {
      await broker.consume('sdk.orders', async () => {
        throw new NonRetryableError('Card declined')
      })
      await broker.publish('shop', 'order.placed', { n: 1 })
      const item = await deadLetterQueue('sdk.orders.dlq', 1)
      expect(item).toMatchObject({ type: 'quorum', feeds: ['sdk.orders'] })
      expect(item.oldestAgeMs).toBeGreaterThanOrEqual(0)
      expect(item.oldestAgeMs).toBeLessThan(10 * 60_000)
    } finally {
      await broker.close()
    }
  })

  it('the oldest-dead-letter-age alert fires for a browsed quorum DLQ above its threshold', async () => {
    await browse('orders.dlq')
    const alerts = await eventually(async () => {
      const body = await get<{ items: { rule: string; queue: string; value: number }[] }>(
        `/api/alerts?vhost=${vhost.encoded}`,
      )
      const ages = body.items.filter((alert) => alert.rule === 'dead-letter-age')
      return ages.length > 0 ? ages : undefined
    })
    expect(alerts).toEqual([
      expect.objectContaining({ rule: 'dead-letter-age', queue: 'orders.dlq', threshold: 60_000 }),
    ])
    expect(alerts[0]?.value).toBeGreaterThanOrEqual(119_000)
  })
})
