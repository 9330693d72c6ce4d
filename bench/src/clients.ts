// The clients under test, each behind the same small interface so that every scenario runs them
// the same way. Each uses its library's documented API for confirmed publish and acked consume.
import { connect as connectManager } from 'amqp-connection-manager'
import amqplib, { type Options } from 'amqplib'
import rascal from 'rascal'
import { connect as connectWarren, defineTopology } from '@warren/sdk'
import { baselineUuidV7, type BenchBody } from './body.js'

export type VariantName = 'sdk' | 'raw' | 'raw-buffer' | 'acm' | 'rascal'

export interface Client {
  /** Publishes one persistent message to `queue` through the default exchange; `done` on its confirm. */
  publish(body: BenchBody, done: (error?: Error) => void): void
  /** Consumes with manual acks; `onMessage` runs once the ack was sent, with the decoded body. */
  consume(prefetch: number, onMessage: (body: unknown) => void): Promise<void>
  close(): Promise<void>
}

export type OpenClient = (url: string, queue: string, type: QueueType) => Promise<Client>
export type QueueType = 'classic' | 'quorum'

/** The same queue for every variant: declared by the SDK's topology, so its arguments match. */
export function benchTopology(queue: string, type: QueueType) {
  return defineTopology({ queues: { [queue]: { type, retry: false, deadLetter: false } } })
}

/**
 * The properties the SDK sets on every message (the SDK README's Headers), made the way a hand-written
 * client would: the baseline that does the SDK's work without the SDK.
 */
export function sdkLikeProperties(queue: string): Options.Publish {
  return {
    messageId: baselineUuidV7(),
    timestamp: Math.floor(Date.now() / 1000),
    contentType: 'application/json',
    type: queue,
    appId: 'bench',
    persistent: true,
    mandatory: true,
  }
}

/** amqplib's consume with manual acks, on a channel of its own; `onMessage` once the ack is sent. */
async function consumeAcked(
  connection: amqplib.ChannelModel,
  queue: string,
  prefetch: number,
  onMessage: (content: Buffer) => void,
): Promise<void> {
  const channel = await connection.createChannel()
  await channel.prefetch(prefetch)
  await channel.consume(queue, (message) => {
    if (!message) return
    channel.ack(message)
    onMessage(message.content)
  })
}

/**
 * Raw amqplib on a confirm channel, doing the SDK's work: each message's body serialised with
 * JSON.stringify and sent with the SDK's properties; on consume, each body parsed with JSON.parse.
 */
const raw: OpenClient = async (url, queue) => {
  const connection = await amqplib.connect(url)
  const channel = await connection.createConfirmChannel()
  return {
    publish(body, done) {
      const content = Buffer.from(JSON.stringify(body))
      channel.publish('', queue, content, sdkLikeProperties(queue), (error) =>
        done(error ?? undefined),
      )
    },
    consume: (prefetch, onMessage) =>
      consumeAcked(connection, queue, prefetch, (content) =>
        onMessage(JSON.parse(content.toString())),
      ),
    async close() {
      await connection.close()
    },
  }
}

/**
 * The floor: raw amqplib sending a body serialised once (the same bytes again for the same
 * object), persistent and mandatory, no other properties; on consume, ack only, no parse.
 */
const rawBuffer: OpenClient = async (url, queue) => {
  const connection = await amqplib.connect(url)
  const channel = await connection.createConfirmChannel()
  let last: { body: BenchBody; content: Buffer } | undefined
  return {
    publish(body, done) {
      if (last?.body !== body) last = { body, content: Buffer.from(JSON.stringify(body)) }
      const options: Options.Publish = { persistent: true, mandatory: true }
      channel.publish('', queue, last.content, options, (error) => done(error ?? undefined))
    },
    consume: (prefetch, onMessage) => consumeAcked(connection, queue, prefetch, onMessage),
    async close() {
      await connection.close()
    },
  }
}

/** amqp-connection-manager's JSON channel: it serialises the body itself. */
const acm: OpenClient = async (url, queue) => {
  const manager = connectManager([url])
  const wrapper = manager.createChannel({ json: true, confirm: true })
  await wrapper.waitForConnect()
  return {
    publish(body, done) {
      wrapper.publish('', queue, body, { persistent: true }).then(() => done(), done)
    },
    async consume(prefetch, onMessage) {
      await wrapper.consume(
        queue,
        (message) => {
          wrapper.ack(message)
          onMessage(JSON.parse(message.content.toString()))
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

/** Rascal serialises an object body as JSON and parses JSON content itself. */
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
    publish(body, done) {
      broker.publish('out', body).then(
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
        onMessage(content)
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
    publish(body, done) {
      broker.publish('', queue, body).then(() => done(), done)
    },
    async consume(prefetch, onMessage) {
      await broker.consume(
        queue,
        (message) => {
          onMessage(message.body)
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
  raw,
  'raw-buffer': rawBuffer,
  acm,
  rascal: rascalClient,
}
