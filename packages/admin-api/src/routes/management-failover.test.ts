import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BROKER, createTestVhost } from '@warren/test-kit'
import { createApp } from '../app.js'
import { ADMIN_TOKEN, tempDir, testConfig } from '../test-support/core.js'

// Port 1 refuses connections at once: a management node that is down.
const DEAD = 'http://127.0.0.1:1'

describe('management failover against the real broker', () => {
  let vhost: Awaited<ReturnType<typeof createTestVhost>>
  let dir: Awaited<ReturnType<typeof tempDir>>
  beforeAll(async () => {
    vhost = await createTestVhost('warren-failover')
    dir = await tempDir()
  })
  afterAll(async () => {
    try {
      await vhost.remove()
    } finally {
      await dir.remove()
    }
  })

  it('answers 200 from the second management URL when the first is down', async () => {
    await vhost.withChannel(async (ch) => {
      await ch.assertQueue('orders', { durable: true })
    })
    const warren = createApp(
      testConfig(dir.path, {
        WARREN_MANAGEMENT_URL: `${DEAD}, ${BROKER.management}`,
        WARREN_VHOSTS: vhost.name,
      }),
    )
    const get = (path: string) =>
      warren.app.request(path, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    try {
      const overview = await get('/api/overview')
      const queues = await get('/api/queues')
      const queue = await get(`/api/queues/${vhost.encoded}/orders`)
      const health = await get('/api/health')

      expect(overview.status).toBe(200)
      expect(queue.status).toBe(200)
      expect(queues.status).toBe(200)
      const listed = (await queues.json()) as { items: { name: string }[] }
      expect(listed.items.map((queue) => queue.name)).toEqual(['orders'])
      expect(health.status).toBe(200)
      expect(await health.json()).toEqual({
        status: 'ok',
        amqp: 'up',
        management: 'up',
        managementUrl: BROKER.management,
      })
    } finally {
      await warren.close()
    }
  })
})
