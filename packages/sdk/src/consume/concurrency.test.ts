import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, defineTopology } from '../index.js'
import { createVhost, waitFor, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-concurrency')
})
afterAll(async () => {
  await vhost?.delete()
})

const topology = defineTopology({ queues: { 'thumbs.render': { retry: false } } })

describe('bounded consumption (the thread-pool parameters)', () => {
  it('runs at most `concurrency` handlers at once and holds at most `prefetch` deliveries unacked', async () => {
    const broker = await connect({ url: vhost.url, topology })
    try {
      await broker.publishBatch(
        Array.from({ length: 30 }, (_, i) => ({
          exchange: '',
          routingKey: 'thumbs.render',
          body: { i },
        })),
      )
      let running = 0
      let mostRunning = 0
      let done = 0
      let mostUnacked = 0
      await broker.consume(
        'thumbs.render',
        async () => {
          running++
          mostRunning = Math.max(mostRunning, running)
          await new Promise((resolve) => setTimeout(resolve, 30))
          running--
          done++
        },
        { prefetch: 8, concurrency: 3 },
      )
      // ready + unacked + acked = 30 on the broker, and acked <= done here: this never overcounts.
      const sampler = setInterval(() => {
        void vhost.count('thumbs.render').then((ready) => {
          mostUnacked = Math.max(mostUnacked, 30 - done - ready)
        })
      }, 20)
      await waitFor(() => done === 30, 'every render')
      clearInterval(sampler)
      expect(mostRunning).toBe(3)
      expect(mostUnacked).toBeGreaterThan(3)
      expect(mostUnacked).toBeLessThanOrEqual(8)
    } finally {
      await broker.close()
    }
  })
})
