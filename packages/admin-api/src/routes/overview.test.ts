import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { management, type TestVhost } from '@warren/test-kit'
import type { WarrenApp } from '../app.js'
import { eventually, operator, scopedTestApp } from '../test-support/core.js'

describe('overview and dead-letter list', () => {
  let vhost: TestVhost
  let warren: WarrenApp
  let remove: (() => Promise<void>) | undefined
  const get = async (path: string) => {
    const response = await warren.app.request(path, { headers: operator })
    expect(response.status).toBe(200)
    return (await response.json()) as Record<string, unknown>
  }

  beforeAll(async () => {
    ;({ vhost, warren, remove } = await scopedTestApp('core-overview', async (vhost) => {
      await vhost.withChannel(async (ch) => {
        await ch.assertQueue('invoices', {
          durable: true,
          arguments: { 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'invoices.dlq' },
        })
        await ch.assertQueue('invoices.dlq', { durable: true })
        // A dead letter with a timestamp property one minute old: its age is known.
        ch.sendToQueue('invoices.dlq', Buffer.from('{}'), {
          timestamp: Math.floor(Date.now() / 1000) - 60,
          persistent: true,
        })
        await ch.checkQueue('invoices.dlq')
      })
    }))
  })

  afterAll(() => remove?.())

  it('GET /api/overview gives broker version and nodes, totals, rates and dead-letter counts', async () => {
    // The node the broker under test calls itself (rabbit@<host> as packaged, any name elsewhere).
    const { node, disable_stats } = (await (await management('GET', '/api/overview')).json()) as {
      node: string
      disable_stats?: boolean
    }
    const body = await get('/api/overview')
    expect(body).toMatchObject({
      broker: {
        version: expect.stringMatching(/^\d+\.\d+\.\d+/),
        nodes: expect.arrayContaining([expect.objectContaining({ name: node, running: true })]),
        // A broker without statistics is read by declares and Prometheus, kept since the first read.
        statistics: disable_stats
          ? { source: 'prometheus', since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) }
          : { source: 'management', since: null },
      },
      totals: { queues: expect.any(Number), messages: expect.any(Number) },
      rates: {
        publish: expect.any(Number),
        deliver: expect.any(Number),
        ack: expect.any(Number),
        deadLetter: expect.any(Number),
      },
      alerts: expect.any(Array),
    })
    const queues = body.queues as { deadLetter: number; work: number }
    expect(queues.deadLetter).toBeGreaterThanOrEqual(1)
    expect(queues.work).toBeGreaterThanOrEqual(1)
  })

  it('GET /api/dead-letters lists each DLQ with its count, oldest age and feeding queues', async () => {
    const item = await eventually(async () => {
      const body = (await get(`/api/dead-letters?vhost=${vhost.encoded}`)) as {
        items: { messages: number; oldestAgeMs: number | null }[]
      }
      const first = body.items[0]
      return body.items.length === 1 && first?.messages === 1 && first.oldestAgeMs !== null
        ? first
        : undefined
    })
    expect(item).toMatchObject({
      vhost: vhost.name,
      name: 'invoices.dlq',
      messages: 1,
      feeds: ['invoices'],
    })
    expect(item.oldestAgeMs).toBeGreaterThanOrEqual(59_000)
    expect(item.oldestAgeMs).toBeLessThan(10 * 60_000)
  })

  // Last: it adds dead letters that the listing above does not expect.
  it('GET /api/overview serves ten minutes of rate and depth history, dead letters included', async () => {
    type Point = { t: number; publish: number; deadLetter: number; messages: number | null }
    await vhost.withChannel(async (ch) => {
      for (let i = 0; i < 20; i++) ch.sendToQueue('invoices.dlq', Buffer.from(`{"n":${i}}`))
      await ch.checkQueue('invoices.dlq')
    })
    // The broker samples rates and depths every few seconds, not always in the same sample:
    // wait for the steps that saw the publishes and the new depth.
    const history = await eventually(async () => {
      const points = (await get('/api/overview')).history as Point[]
      const sawPublishes = points.some((p) => p.deadLetter > 0 && p.publish > 0)
      const sawDepth = points.some((p) => p.messages !== null && p.messages >= 21)
      return sawPublishes && sawDepth ? points : undefined
    })
    const times = history.map((p) => p.t)
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeLessThanOrEqual(600_000)
    expect(times.at(-1)).toBeGreaterThan(Date.now() - 60_000)
    expect(history.some((p) => p.messages !== null && p.messages >= 21)).toBe(true)
  })
})
