import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, defineTopology } from './index.js'
import { createVhost, waitFor, type TestVhost } from './test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-no-loss')
})
afterAll(async () => {
  await vhost?.delete()
})

const TOTAL = 10_000
const WAVE = 500
const topology = defineTopology({ queues: { 'load.events': { retry: false } } })

describe('no loss when the broker drops every connection', () => {
  it('consumes every confirmed message at least once across two close_all_connections during a 10k publish and consume', async () => {
    const options = {
      url: vhost.url,
      topology,
      reconnect: { initialDelay: '100ms' as const },
      publish: { timeout: '60s' as const },
    }
    const publisher = await connect({ ...options, service: 'load-publisher' })
    const consumer = await connect({ ...options, service: 'load-consumer' })
    try {
      const consumed = new Set<string>()
      let duplicates = 0
      let reconnects = 0
      publisher.on('reconnected', () => reconnects++)
      consumer.on('reconnected', () => reconnects++)
      // Handlers stop at half way until the second fault is issued, so it lands mid-consume
      // with deliveries in flight whatever the machine's speed.
      let releaseHandlers: () => void = () => {}
      const handlersHeld = new Promise<void>((resolve) => (releaseHandlers = resolve))
      await consumer.consume(
        'load.events',
        async (msg) => {
          if (consumed.size >= TOTAL / 2) await handlersHeld
          if (consumed.has(msg.messageId)) duplicates++
          else consumed.add(msg.messageId)
        },
        { prefetch: 100, concurrency: 10 },
      )

      const confirmed: string[] = []
      const failed: unknown[] = []
      let published = 0
      const secondFault = (async () => {
        await waitFor(() => consumed.size >= TOTAL / 2, 'half consumed', 60_000)
        await vhost.closeConnections()
        releaseHandlers()
      })()
      for (let wave = 0; wave < TOTAL / WAVE; wave++) {
        const ids = Array.from({ length: WAVE }, (_, i) => `m-${wave * WAVE + i}`)
        published += ids.length
        const settled = Promise.allSettled(
          ids.map((id) => publisher.publish('', 'load.events', { id }, { messageId: id })),
        )
        // The first fault hits while this wave's confirms are outstanding.
        if (wave === 4) await vhost.closeConnections()
        const results = await settled
        results.forEach((result, i) => {
          if (result.status === 'fulfilled') confirmed.push(ids[i] as string)
          else failed.push(result.reason)
        })
      }
      await secondFault
      const lostIds = () => confirmed.filter((id) => !consumed.has(id))
      await waitFor(() => lostIds().length === 0, 'every confirmed message consumed', 90_000)
      await waitFor(async () => (await vhost.count('load.events')) === 0, 'the queue to drain')
      await waitFor(() => reconnects >= 4, 'both brokers to reconnect twice')

      const figures = {
        published,
        confirmed: confirmed.length,
        failed: failed.length,
        consumedUnique: consumed.size,
        duplicates,
        lost: lostIds().length,
        reconnects,
      }
      console.log(`[no-loss close_all_connections] ${JSON.stringify(figures)}`)
      expect(figures.lost).toBe(0)
      expect(figures.confirmed).toBe(TOTAL)
      expect(figures.consumedUnique).toBe(TOTAL)
    } finally {
      await Promise.allSettled([publisher.close(), consumer.close()])
    }
  })
})
