import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, defineTopology, WarrenError } from '../index.js'
import { createVhost, type TestVhost } from '../test-support/vhost.js'

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-connection')
})
afterAll(async () => {
  await vhost?.delete()
})

// Port 1 on loopback refuses at once: a cluster node that is down.
const DOWN = 'amqp://guest:guest@127.0.0.1:1'
const topology = defineTopology({ queues: { 'ping.pong': { retry: false } } })

describe('connecting', () => {
  it('tries the nodes of a URL list in turn and connects to the one that answers', async () => {
    const broker = await connect({
      url: [DOWN, vhost.url],
      topology,
      reconnect: { initialDelay: '50ms' },
    })
    try {
      expect(broker.connected).toBe(true)
      expect(broker.serverVersion).toMatch(/^\d+\.\d+/)
      await broker.publish('', 'ping.pong', { ok: true })
      expect(await vhost.count('ping.pong')).toBe(1)
    } finally {
      await broker.close()
    }
  })

  it('also reads the list comma-separated, as WARREN_AMQP_URL gives it', async () => {
    const broker = await connect({ url: `${DOWN},${vhost.url}`, topology })
    try {
      expect(broker.connected).toBe(true)
    } finally {
      await broker.close()
    }
    expect(broker.connected).toBe(false)
  })

  it('rejects with CONNECTION_FAILED when no node answers within connectTimeout', async () => {
    const error = await connect({ url: DOWN, topology, connectTimeout: '300ms' }).catch(
      (e: unknown) => e,
    )
    expect(error).toBeInstanceOf(WarrenError)
    expect(error).toMatchObject({ code: 'CONNECTION_FAILED' })
    expect((error as Error).message).toContain('127.0.0.1:1')
  })
})
