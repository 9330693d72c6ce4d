// A vhost of a test file's own (the test kit's) with a confirm channel open on it, for arranging
// and checking the queues the dead-letter module reads.
import { connect } from 'amqplib'
import type { ChannelModel, ConfirmChannel, Options } from 'amqplib'
import { createTestVhost, type TestVhost } from '@warren/test-kit'

export interface AmqpVhost extends Pick<TestVhost, 'name' | 'encoded' | 'url'> {
  /** A connection to the vhost for arranging and checking queues. */
  connection: ChannelModel
  channel: ConfirmChannel
  /** Declares a queue of the given type (durable). */
  queue(name: string, type?: 'classic' | 'quorum', args?: Record<string, unknown>): Promise<void>
  /** Publishes and waits for the confirms. */
  publish(
    queue: string,
    messages: Array<{ body: unknown; options?: Options.Publish }>,
  ): Promise<void>
  /** Removes every message (acked) and returns their bodies, in order. */
  drain(
    queue: string,
  ): Promise<Array<{ body: string; headers: Record<string, unknown>; messageId: unknown }>>
  count(queue: string): Promise<number>
  dispose(): Promise<void>
}

export async function createAmqpVhost(prefix: string): Promise<AmqpVhost> {
  const vhost = await createTestVhost(prefix)
  let connection: ChannelModel
  let channel: ConfirmChannel
  try {
    connection = await connect(vhost.url)
    channel = await connection.createConfirmChannel()
  } catch (error) {
    await vhost.remove()
    throw error
  }
  return {
    name: vhost.name,
    encoded: vhost.encoded,
    url: vhost.url,
    connection,
    channel,
    async queue(queue, type = 'classic', args = {}) {
      await channel.assertQueue(queue, {
        durable: true,
        arguments: { 'x-queue-type': type, ...args },
      })
    },
    async publish(queue, messages) {
      for (const { body, options } of messages) {
        const content = Buffer.isBuffer(body)
          ? body
          : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))
        channel.sendToQueue(queue, content, { persistent: true, ...options })
      }
      await channel.waitForConfirms()
    },
    async drain(queue) {
      const out: Array<{ body: string; headers: Record<string, unknown>; messageId: unknown }> = []
      const reader = await connection.createChannel()
      try {
        for (;;) {
          const message = await reader.get(queue, { noAck: true })
          if (!message) break
          out.push({
            body: message.content.toString(),
            headers: message.properties.headers ?? {},
            messageId: message.properties.messageId,
          })
        }
      } finally {
        await reader.close()
      }
      return out
    },
    async count(queue) {
      // A busy quorum queue may answer 0 instead of timing out: ask again before believing it.
      let count = (await channel.checkQueue(queue)).messageCount
      for (let retry = 0; count === 0 && retry < 3; retry += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        count = (await channel.checkQueue(queue)).messageCount
      }
      return count
    },
    async dispose() {
      try {
        await connection.close()
      } catch {
        // The vhost goes below anyway.
      } finally {
        await vhost.remove()
      }
    },
  }
}
