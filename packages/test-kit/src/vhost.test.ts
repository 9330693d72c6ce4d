import { connect } from 'amqplib'
import { describe, expect, it } from 'vitest'
import { BROKER } from './brokers.js'
import { management } from './management.js'
import { createTestVhost } from './vhost.js'

const exists = async (encoded: string) => {
  const response = await fetch(`${BROKER.management}/api/vhosts/${encoded}`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${BROKER.user}:${BROKER.password}`).toString('base64')}`,
    },
  })
  return response.status === 200
}

describe(`a throwaway vhost on ${BROKER.label}`, () => {
  it('is usable at its URL, counts exactly, and is gone after remove', async () => {
    const vhost = await createTestVhost('kit-vhost')
    try {
      expect(vhost.name).toMatch(/^kit-vhost-[0-9a-f]{8}$/)
      expect(vhost.url).toBe(`${BROKER.amqp}/${vhost.encoded}`)
      await vhost.withChannel(async (channel) => {
        await channel.assertQueue('jobs')
        channel.sendToQueue('jobs', Buffer.from('a'))
        channel.sendToQueue('jobs', Buffer.from('b'))
        await channel.waitForConfirms()
      })
      expect(await vhost.count('jobs')).toBe(2)
    } finally {
      await vhost.remove()
    }
    expect(await exists(vhost.encoded)).toBe(false)
    await expect(vhost.remove()).resolves.toBeUndefined()
  })

  it("closes its own connections through rabbitmqctl, and leaves another vhost's open", async () => {
    const mine = await createTestVhost('kit-mine')
    const other = await createTestVhost('kit-other')
    const [a, b] = [await connect(mine.url), await connect(other.url)]
    try {
      const closed = new Promise((resolve) => a.once('close', resolve))
      a.on('error', () => {})
      await mine.closeConnections()
      await closed
      await expect(b.createChannel()).resolves.toBeDefined()
    } finally {
      await b.close().catch(() => {})
      await mine.remove()
      await other.remove()
    }
  })

  it("rejects with the broker's answer when a management call fails", async () => {
    await expect(management('GET', '/api/vhosts/kit-no-such-vhost')).rejects.toThrow(
      'GET /api/vhosts/kit-no-such-vhost: 404',
    )
  })
})
