// Retry mode `broker` on whichever broker the environment names: the connect-time probe decides,
// and the test asserts what that answer implies (4.3: the queue's own delayed retry; 3.10: the
// tiers, with the reason). Either way the dead letter is the one tiers mode writes.
import { hostname } from 'node:os'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, defineTopology, HEADERS } from '../index.js'
import { captureLogger } from '../test-support/capture-logger.js'
import { createVhost, management, waitFor, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-broker-retry')
})
afterAll(async () => {
  await vhost?.delete()
})

const retry = { delays: ['300ms', '600ms'], maxAttempts: 3 } as const
const topology = defineTopology({
  exchanges: { orders: { type: 'topic' } },
  queues: {
    'billing.broker': {
      bindings: [{ exchange: 'orders', routingKey: 'order.broker' }],
      retry: { ...retry, mode: 'broker' },
    },
    'billing.tiers': {
      bindings: [{ exchange: 'orders', routingKey: 'order.tiers' }],
      retry,
    },
  },
})

interface QueueInfo {
  name: string
  arguments: Record<string, unknown>
}

async function queues(): Promise<QueueInfo[]> {
  return (await management('GET', `/queues/${encodeURIComponent(vhost.name)}`)) as QueueInfo[]
}

describe("retry mode 'broker'", () => {
  it('uses the broker delayed retry where the probe saw it, else tiers with the reason; the same dead letter either way', async () => {
    const logger = captureLogger()
    const broker = await connect({ url: vhost.url, topology, service: 'billing', logger })
    try {
      const probe = broker.diagnostics.delayedRetry
      expect(probe).toBeDefined()
      const work = (await queues()).find((q) => q.name === 'billing.broker')
      const names = (await queues()).map((q) => q.name)
      // The probe deletes its queue before connect() resolves.
      expect(names.filter((n) => n.startsWith('warren.probe.'))).toEqual([])
      if (probe?.supported) {
        expect(broker.diagnostics.retry['billing.broker']).toEqual({ mode: 'broker' })
        expect(work?.arguments).toMatchObject({
          'x-delayed-retry-type': 'failed',
          'x-delayed-retry-min': 300,
          'x-delayed-retry-max': 600,
        })
        expect(names).not.toContain('billing.broker.retry.300ms')
        expect(logger.events).toContainEqual(expect.objectContaining({ event: 'delayed-retry' }))
      } else {
        expect(broker.diagnostics.retry['billing.broker']).toEqual({
          mode: 'tiers',
          reason: probe?.reason,
        })
        expect(probe?.reason).toMatch(/instead of holding it|did not come back|probe failed/)
        expect(work?.arguments).not.toHaveProperty('x-delayed-retry-type')
        expect(names).toEqual(
          expect.arrayContaining(['billing.broker.retry.300ms', 'billing.broker.retry.600ms']),
        )
        expect(logger.events).toContainEqual(
          expect.objectContaining({
            event: 'delayed-retry-unavailable',
            queues: ['billing.broker'],
            reason: probe?.reason,
          }),
        )
      }
      expect(broker.diagnostics.retry['billing.tiers']).toEqual({ mode: 'tiers' })

      const seen: Record<string, { attempt: number; at: number }[]> = {}
      const failing = (queue: string) => (msg: { attempt: number }) => {
        ;(seen[queue] ??= []).push({ attempt: msg.attempt, at: Date.now() })
        throw new Error(`charge failed on attempt ${msg.attempt}`)
      }
      await broker.consume('billing.broker', failing('billing.broker'))
      await broker.consume('billing.tiers', failing('billing.tiers'))
      await broker.publish('orders', 'order.broker', { orderId: 'o-1' }, { messageId: 'm-b' })
      await broker.publish('orders', 'order.tiers', { orderId: 'o-1' }, { messageId: 'm-t' })
      await waitFor(
        async () =>
          (await vhost.count('billing.broker.dlq')) === 1 &&
          (await vhost.count('billing.tiers.dlq')) === 1,
        'both dead letters',
      )

      for (const queue of ['billing.broker', 'billing.tiers']) {
        const runs = seen[queue] ?? []
        expect(runs.map((r) => r.attempt)).toEqual([1, 2, 3])
        // Never early: each retry waits at least its delay (a few ms of timer slack aside).
        const gaps = runs.slice(1).map((r, i) => r.at - (runs[i]?.at ?? 0))
        expect(gaps[0]).toBeGreaterThanOrEqual(290)
        expect(gaps[1]).toBeGreaterThanOrEqual(590)
      }
      const retried = logger.events.filter((e) => e.event === 'retried' && e.messageId === 'm-b')
      expect(retried.map((e) => [e.attempt, e.target, e.delayMs])).toEqual(
        probe?.supported
          ? [
              [1, 'billing.broker', 300],
              [2, 'billing.broker', 600],
            ]
          : [
              [1, 'billing.broker.retry.300ms', 300],
              [2, 'billing.broker.retry.600ms', 600],
            ],
      )

      const [viaBroker] = await vhost.drain('billing.broker.dlq')
      const [viaTiers] = await vhost.drain('billing.tiers.dlq')
      const expected = (queue: string, routingKey: string) => ({
        [HEADERS.attempt]: 3,
        [HEADERS.deadLetterReason]: 'max-attempts',
        [HEADERS.originalQueue]: queue,
        [HEADERS.originalExchange]: 'orders',
        [HEADERS.originalRoutingKey]: routingKey,
        [HEADERS.errorName]: 'Error',
        [HEADERS.errorMessage]: 'charge failed on attempt 3',
        [HEADERS.consumer]: `billing@${hostname()}:${process.pid}`,
      })
      expect(viaBroker?.properties.headers).toMatchObject(
        expected('billing.broker', 'order.broker'),
      )
      expect(viaTiers?.properties.headers).toMatchObject(expected('billing.tiers', 'order.tiers'))
      // The same header names (the DLQ read may add its own x-delivery-count to both), and no
      // x-death: the console shows both alike.
      const keys = (h: Record<string, unknown> | undefined) => Object.keys(h ?? {}).sort()
      expect(keys(viaBroker?.properties.headers)).toEqual(keys(viaTiers?.properties.headers))
      expect(viaBroker?.properties.headers?.['x-death']).toBeUndefined()
      expect(viaBroker?.properties.messageId).toBe('m-b')
      expect(await vhost.count('billing.broker')).toBe(0)
    } finally {
      await broker.close()
    }
  })

  it("counts a consumer lost mid-handler as an attempt on the broker's path only, and never a cancel's unstarted deliveries", async () => {
    const broker = await connect({ url: vhost.url, topology, closeTimeout: '2s' })
    try {
      const supported = broker.diagnostics.delayedRetry?.supported === true
      const seen: { body: string; attempt: number; at: number }[] = []
      let lost = false
      await broker.consume('billing.broker', async (msg) => {
        const body = (msg.body as { orderId: string }).orderId
        seen.push({ body, attempt: msg.attempt, at: Date.now() })
        if (body === 'o-lost' && !lost) {
          lost = true
          // The connection goes while this handler runs: its ack is never sent.
          await vhost.closeConnections()
          await new Promise((resolve) => setTimeout(resolve, 200))
        }
      })
      await broker.publish('orders', 'order.broker', { orderId: 'o-lost' })
      await waitFor(() => seen.length === 2, 'the redelivery after the lost connection')
      // 4.3 counts the lost delivery as failed (x-delivery-count), so broker mode sees attempt 2,
      // after the queue's delay; tiers mode counts only the attempts its copies record.
      expect(seen.map((s) => s.attempt)).toEqual(supported ? [1, 2] : [1, 1])
    } finally {
      await broker.close()
    }

    const again = await connect({ url: vhost.url, topology })
    try {
      let release: () => void = () => {}
      const blocked = new Promise<void>((resolve) => (release = resolve))
      const first: string[] = []
      const consumer = await again.consume(
        'billing.broker',
        async (msg) => {
          first.push((msg.body as { orderId: string }).orderId)
          await blocked
        },
        { prefetch: 5, concurrency: 1 },
      )
      for (const orderId of ['c-1', 'c-2', 'c-3']) {
        await again.publish('orders', 'order.broker', { orderId })
      }
      await waitFor(() => first.length === 1, 'the first handler')
      const cancelled = consumer.cancel()
      release()
      await cancelled
      const later: { orderId: string; attempt: number; at: number }[] = []
      const resumedAt = Date.now()
      await again.consume('billing.broker', (msg) => {
        later.push({ ...(msg.body as { orderId: string }), attempt: msg.attempt, at: Date.now() })
      })
      await waitFor(() => later.length === 2, 'the two deliveries the cancel returned')
      expect(first).toEqual(['c-1'])
      // Returned together, they may come back in either order.
      expect(later.map((l) => [l.orderId, l.attempt]).sort()).toEqual([
        ['c-2', 1],
        ['c-3', 1],
      ])
      // Not held back by the delayed retry either (its first delay is 300 ms).
      expect(Math.max(...later.map((l) => l.at - resumedAt))).toBeLessThan(250)
    } finally {
      await again.close()
    }
  })
})
