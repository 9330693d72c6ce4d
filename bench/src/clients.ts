// The four clients under test, each behind the same small interface so that every scenario runs
// them the same way. Each uses its library's documented API for confirmed publish and acked consume.
import { connect as connectManager } from 'amqp-connection-manager'
import { randomUUID } from 'node:crypto'
import amqplib, { type Options } from 'amqplib'
import rascal from 'rascal'
import { connect as connectWarren, defineTopology } from '@warren/sdk'

export type VariantName = 'sdk' | 'raw' | 'raw-props' | 'acm' | 'rascal'

export interface Client {
  /** Publishes one persistent message to `queue` through the default exchange; `done` on its confirm. */
  publish(payload: Buffer, done: (error?: Error) => void): void
  /** Consumes with manual acks; `onMessage` runs once the ack was sent. */
  consume(prefetch: number, onMessage: (payload: Buffer) => void): Promise<void>
  close(): Promise<void>
}

export type OpenClient = (url: string, queue: string, type: QueueType) => Promise<Client>
export type QueueType = 'classic' | 'quorum'

/** The same queue for every variant: declared by the SDK's topology, so its arguments match. */
export function benchTopology(queue: string, type: QueueType) {
  return defineTopology({ queues: { [queue]: { type, retry: false, deadLetter: false } } })
}

/**
 * Raw amqplib on a confirm channel. `withProperties` also sends what the SDK's contract sets on
 * every message (messageId, timestamp, type, appId, content type), so the SDK's own overhead can be
 * told apart from the broker's cost of those bytes.
 */
const rawClient =
  (withProperties: boolean): OpenClient =>
  async (url, queue) => {
    const connection = await amqplib.connect(url)
    const channel = await connection.createConfirmChannel()
    return {
      publish(payload, done) {
        const options: Options.Publish = { persistent: true, mandatory: true }
        if (withProperties) {
          options.messageId = randomUUID()
          options.timestamp = Math.floor(Date.now() / 1000)
          options.contentType = 'application/octet-stream'
          options.type = queue
          options.appId = 'bench'
        }
        channel.publish('', queue, payload, options, (error) => done(error ?? undefined))
      },
      async consume(prefetch, onMessage) {
        const consumeChannel = await connection.createChannel()
        await consumeChannel.prefetch(prefetch)
        await consumeChannel.consume(queue, (message) => {
          if (!message) return
          consumeChannel.ack(message)
          onMessage(message.content)
        })
      },
      async close() {
        await connection.close()
      },
    }
  }

const acm: OpenClient = async (url, queue) => {
  const manager = connectManager([url])
  const wrapper = manager.createChannel({ json: false, confirm: true })
  await wrapper.waitForConnect()
  return {
    publish(payload, done) {
      wrapper.publish('', queue, payload, { persistent: true }).then(() => done(), done)
    },
    async consume(prefetch, onMessage) {
      await wrapper.consume(
        queue,
        (message) => {
          wrapper.ack(message)
          onMessage(message.content)
        },
        { prefetch },
      )
    },
    async close() {
      await wrapper.close()
      await manager.close()
    },
  }
}

const rascalClient: OpenClient = async (url, queue) => {
  const config = rascal.withDefaultConfig({
    vhosts: {
      bench: {
        // Rascal's vhost key is a name; the real vhost comes from the connection URL.
        connection: { url },
        queues: { [queue]: { assert: false, check: true } },
        publications: { out: { queue, confirm: true, options: { persistent: true } } },
        subscriptions: { in: { queue, prefetch: 500 } },
      },
    },
  })
  const broker = await rascal.BrokerAsPromised.create(config)
  broker.on('error', () => undefined)
  return {
    publish(payload, done) {
      broker.publish('out', payload).then(
        (publication) => {
          publication.on('success', () => done())
          publication.on('error', (error) => done(error))
        },
        (error: Error) => done(error),
      )
    },
    async consume(prefetch, onMessage) {
      const subscription = await broker.subscribe('in', { prefetch })
      subscription.on('message', (_message, content, ackOrNack) => {
        ackOrNack()
        onMessage(content as Buffer)
      })
      subscription.on('error', () => undefined)
    },
    async close() {
      await broker.shutdown()
    },
  }
}

const sdk: OpenClient = async (url, queue, type) => {
  const broker = await connectWarren({
    url,
    topology: benchTopology(queue, type),
    service: 'bench',
  })
  return {
    publish(payload, done) {
      broker.publish('', queue, payload).then(() => done(), done)
    },
    async consume(prefetch, onMessage) {
      await broker.consume(
        queue,
        (message) => {
          onMessage(message.content)
        },
        { prefetch, concurrency: prefetch },
      )
    },
    async close() {
      await broker.close()
    },
  }
}

export const clients: Record<VariantName, OpenClient> = {
  sdk,
  raw: rawClient(false),
  'raw-props': rawClient(true),
  acm,
  rascal: rascalClient,
}
