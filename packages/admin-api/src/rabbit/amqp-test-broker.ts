// Test support (not exported from the package): a vhost of its own per test file on the shared
// broker, so tests run in parallel and leave nothing behind.
import { randomUUID } from 'node:crypto'
import { connect } from 'amqplib'
import type { ChannelModel, ConfirmChannel, Options } from 'amqplib'

export const BROKER_URL = process.env['WARREN_AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672'
export const MANAGEMENT_URL = process.env['WARREN_MANAGEMENT_URL'] ?? 'http://127.0.0.1:15672'
const AUTH = `Basic ${Buffer.from('guest:guest').toString('base64')}`

export async function management(method: string, path: string, body?: unknown): Promise<Response> {
  const response = await fetch(`${MANAGEMENT_URL}/api${path}`, {
    method,
    headers: { authorization: AUTH, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  if (!response.ok && response.status !== 404) {
    throw new Error(`management ${method} ${path}: ${response.status} ${await response.text()}`)
  }
  return response
}

export interface TestVhost {
  name: string
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

export async function createTestVhost(prefix: string): Promise<TestVhost> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`
  const encoded = encodeURIComponent(name)
  await management('PUT', `/vhosts/${encoded}`)
  await management('PUT', `/permissions/${encoded}/guest`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  })
  const url = new URL(BROKER_URL)
  url.pathname = `/${encoded}`
  const connection = await connect(url.toString())
  const channel = await connection.createConfirmChannel()
  return {
    name,
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
        await management('DELETE', `/vhosts/${encoded}`)
      }
    },
  }
}
