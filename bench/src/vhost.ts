import amqplib, { type Options } from 'amqplib'
import { connect } from '@warren/sdk'
import { createTestVhost, management, type TestVhost } from '@warren/test-kit'
import { benchTopology, type QueueType } from './clients.js'

let sequence = 0

/**
 * A vhost of the benchmark's own on the broker the environment names (the test kit's), with
 * helpers to make and remove fresh queues in it.
 */
export class BenchVhost {
  readonly name: string
  readonly url: string
  serverVersion = 'unknown'
  readonly #vhost: TestVhost

  private constructor(vhost: TestVhost) {
    this.#vhost = vhost
    this.name = vhost.name
    this.url = vhost.url
  }

  static async create(): Promise<BenchVhost> {
    const vhost = new BenchVhost(await createTestVhost('warren-bench'))
    const connection = await amqplib.connect(vhost.url)
    vhost.serverVersion = String(connection.connection.serverProperties.version ?? 'unknown')
    await connection.close()
    return vhost
  }

  /** A new queue, declared through the SDK's topology so every variant gets the same arguments. */
  async freshQueue(prefix: string, type: QueueType): Promise<string> {
    sequence += 1
    const queue = `${prefix}.${type}.${sequence}`
    const broker = await connect({ url: this.url, topology: benchTopology(queue, type) })
    await broker.close()
    return queue
  }

  /** Messages ready in `queue`, through a passive declare: exact, with no statistics delay. */
  async count(queue: string): Promise<number> {
    return this.#vhost.count(queue)
  }

  /** Removes every message of `queue`, keeping the queue. */
  async purgeQueue(queue: string): Promise<void> {
    const path = `/api/queues/${this.#vhost.encoded}/${encodeURIComponent(queue)}/contents`
    await management('DELETE', path)
  }

  async deleteQueue(queue: string): Promise<void> {
    await management('DELETE', `/api/queues/${this.#vhost.encoded}/${encodeURIComponent(queue)}`)
  }

  /**
   * Fills a queue with `count` persistent messages through a raw confirm channel, each with the
   * properties `properties` makes (by default an octet-stream content type and `headers`).
   */
  async preload(
    queue: string,
    count: number,
    payload: Buffer,
    properties: Record<string, string> | (() => Options.Publish) = {},
  ): Promise<void> {
    const propertiesOf =
      typeof properties === 'function'
        ? properties
        : () => ({ persistent: true, contentType: 'application/octet-stream', headers: properties })
    const connection = await amqplib.connect(this.url)
    try {
      const channel = await connection.createConfirmChannel()
      for (let i = 0; i < count; i++) {
        if (!channel.publish('', queue, payload, propertiesOf())) {
          await new Promise((resolve) => channel.once('drain', resolve))
        }
      }
      await channel.waitForConfirms()
    } finally {
      await connection.close()
    }
  }

  async delete(): Promise<void> {
    await this.#vhost.remove()
  }
}
