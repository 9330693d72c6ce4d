import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect, defineTopology, MessageTooLargeError } from '../index.js'
import { brokerMajor, createVhost, type TestVhost } from '../test-support/vhost.js'

const MiB = 1024 * 1024
const topology = defineTopology({ queues: { 'files.store': { type: 'classic', retry: false } } })

let vhost: TestVhost
beforeAll(async () => {
  vhost = await createVhost('sdk-max-size')
})
afterAll(async () => {
  await vhost?.delete()
})

/** Publishes around `big`: the small ones must confirm whatever happens to it. */
async function publishAround(
  broker: Awaited<ReturnType<typeof connect<typeof topology>>>,
  big: Buffer,
): Promise<{ bigError: unknown; small: PromiseSettledResult<void>[] }> {
  const before = Array.from({ length: 10 }, (_, i) => broker.publish('', 'files.store', { i }))
  const bigPublish = broker.publish('', 'files.store', big).catch((e: unknown) => e)
  const after = Array.from({ length: 10 }, (_, i) => broker.publish('', 'files.store', { i }))
  const small = await Promise.allSettled([...before, ...after])
  return { bigError: await bigPublish, small }
}

describe('a publish over the broker maximum message size', () => {
  it('rejects with MessageTooLargeError naming its size and the limit, and nothing else stalls', async () => {
    // RabbitMQ's default max_message_size: 16 MiB from 4.0, 128 MiB on 3.x.
    const limit = (await brokerMajor()) >= 4 ? 16 * MiB : 128 * MiB
    const broker = await connect({ url: vhost.url, topology })
    try {
      const { bigError, small } = await publishAround(broker, Buffer.alloc(limit + 1))

      expect(bigError).toBeInstanceOf(MessageTooLargeError)
      expect(bigError).toMatchObject({ code: 'MESSAGE_TOO_LARGE', size: limit + 1, limit })
      expect((bigError as Error).message).toContain(`maximum message size of ${limit} bytes`)
      expect(small.map((r) => r.status)).toEqual(Array(20).fill('fulfilled'))
      await broker.publish('', 'files.store', { next: true })
      expect(await vhost.count('files.store')).toBe(21)
    } finally {
      await vhost.drain('files.store')
      await broker.close()
    }
  })

  it('counts what encryption adds: the limit holds for the bytes actually sent', async () => {
    const encryption = { keys: { k1: randomBytes(32) } }
    const broker = await connect({ url: vhost.url, topology, encryption, maxMessageSize: 1024 })
    try {
      // 1000 bytes of plaintext, 1028 sealed (12 bytes of IV, 16 of tag).
      const error = await broker.publish('', 'files.store', Buffer.alloc(1000)).catch((e) => e)

      expect(error).toBeInstanceOf(MessageTooLargeError)
      expect(error).toMatchObject({ size: 1028, limit: 1024 })
      await broker.publish('', 'files.store', Buffer.alloc(996))
      expect(await vhost.count('files.store')).toBe(1)
    } finally {
      await vhost.drain('files.store')
      await broker.close()
    }
  })

  it('learns the limit from the broker when told a higher one, and the publishes in flight still confirm', async () => {
    const limit = (await brokerMajor()) >= 4 ? 16 * MiB : 128 * MiB
    // Configured wrongly: the broker refuses the message and names its own limit.
    const broker = await connect({ url: vhost.url, topology, maxMessageSize: 4 * limit })
    try {
      const { bigError, small } = await publishAround(broker, Buffer.alloc(limit + MiB))

      expect(bigError).toBeInstanceOf(MessageTooLargeError)
      expect(bigError).toMatchObject({ size: limit + MiB, limit })
      expect(small.map((r) => r.status)).toEqual(Array(20).fill('fulfilled'))
      // From now on refused before sending, without costing a channel.
      const again = await broker.publish('', 'files.store', Buffer.alloc(limit + 1)).catch((e) => e)
      expect(again).toMatchObject({ code: 'MESSAGE_TOO_LARGE', size: limit + 1, limit })
      await broker.publish('', 'files.store', { next: true })
      // A publish the closed channel had not confirmed is sent again: at least once each.
      expect(await vhost.count('files.store')).toBeGreaterThanOrEqual(21)
    } finally {
      await vhost.drain('files.store')
      await broker.close()
    }
  })
})
