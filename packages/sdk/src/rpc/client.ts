import type { ConfirmChannel, ConsumeMessage, Message, Options } from 'amqplib'
import type { Schema } from '../schema.js'
import type { Link } from '../connection/connection-manager.js'
import { ManagedChannel, type OpenChannel } from '../connection/managed-channel.js'
import type { Keyring } from '../encryption/keyring.js'
import { ClosedError, TimeoutError, UnroutableError, WarrenError } from '../errors.js'
import { errorFields, type Logger } from '../logging/logger.js'
import { uuidv7 } from '../publish/uuid.js'
import type { Runtime } from '../runtime.js'
import { readReply, REPLY_TO, requestProperties } from './reply.js'

interface PendingRequest {
  exchange: string
  routingKey: string
  content: Buffer
  properties: Options.Publish & { messageId: string }
  reply: Schema | undefined
  resolve: (body: unknown) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
  /** The channel it was sent on; its replies can come only there. */
  sentOn: ReplyChannel | undefined
}

/** The reply channel of one connection: it consumes direct reply-to and carries the requests. */
type ReplyChannel = OpenChannel<ConfirmChannel>

/**
 * Request/reply over direct reply-to: no reply queue is declared. Requests are published on the
 * channel that consumes `amq.rabbitmq.reply-to` (no-ack), as RabbitMQ requires, and matched to
 * replies by correlation id. Every way a request ends (reply, timeout, return, lost channel)
 * removes its map entry and timer, and no listener is added per request.
 */
export class RpcClient {
  readonly #pending = new Map<string, PendingRequest>()
  /** Opened on the first request of each connection, not before: most brokers never ask. */
  readonly #reply: ManagedChannel<ConfirmChannel>
  /** Requests made while disconnected, sent by the next `attach`. */
  #waiting: PendingRequest[] = []

  private readonly link: () => Link | undefined
  private readonly logger: Logger
  private readonly keyring: Keyring | undefined

  constructor(runtime: Pick<Runtime, 'link' | 'logger' | 'keyring'>) {
    this.link = runtime.link
    this.logger = runtime.logger
    this.keyring = runtime.keyring
    this.#reply = new ManagedChannel({
      role: 'reply-channel',
      fields: {},
      logger: runtime.logger,
      create: (link) => link.model.createConfirmChannel(),
      setup: async ({ channel }) => {
        channel.on('return', (message: Message) => this.#onReturn(message))
        await channel.consume(REPLY_TO, (message) => message && this.#onReply(message), {
          noAck: true,
        })
      },
      onError: (_, error) =>
        this.logger.warn({ event: 'reply-channel-closed', error: errorFields(error) }),
      onLost: (reply) => this.#onChannelLost(reply),
    })
  }

  /** Open requests: each holds one map entry and one timer until it settles. */
  get pending(): number {
    return this.#pending.size
  }

  /** Listeners on the reply channel; constant however many requests ran. */
  get listeners(): number {
    const channel = this.#reply.current?.channel
    if (!channel) return 0
    return channel.eventNames().reduce((n, name) => n + channel.listenerCount(name), 0)
  }

  request(
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: Options.Publish & { messageId: string },
    timeoutMs: number,
    reply?: Schema,
  ): Promise<unknown> {
    const correlationId = uuidv7()
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#settle(correlationId)
        const index = this.#waiting.indexOf(request)
        if (index !== -1) this.#waiting.splice(index, 1)
        reject(
          new TimeoutError(
            `no reply to ${properties.messageId} ('${routingKey}' on '${exchange}') within ${timeoutMs}ms`,
          ),
        )
      }, timeoutMs)
      const request: PendingRequest = {
        exchange,
        routingKey,
        content,
        properties: requestProperties(properties, correlationId, Date.now() + timeoutMs),
        reply,
        resolve,
        reject,
        timer,
        sentOn: undefined,
      }
      this.#pending.set(correlationId, request)
      const link = this.link()
      if (link) void this.#send(link, request)
      else this.#waiting.push(request)
    })
  }

  /** A (new) connection: requests made while disconnected go out now. */
  attach(link: Link): void {
    const waiting = this.#waiting
    this.#waiting = []
    for (const request of waiting) void this.#send(link, request)
  }

  /** Rejects every open request; their replies can no longer arrive. */
  async close(): Promise<void> {
    for (const [id, request] of this.#pending) {
      this.#settle(id)
      request.reject(new ClosedError('broker closed before the reply came'))
    }
    this.#waiting = []
    await this.#reply.close()
  }

  async #send(link: Link, request: PendingRequest): Promise<void> {
    const id = request.properties.correlationId as string
    let reply: ReplyChannel
    try {
      reply = await this.#reply.acquire(link)
    } catch (error) {
      if (!this.#pending.has(id)) return
      this.#settle(id)
      request.reject(
        new WarrenError('REPLY_LOST', 'cannot open the reply channel', { cause: error }),
      )
      return
    }
    // Timed out while the channel opened.
    if (!this.#pending.has(id)) return
    request.sentOn = reply
    const { exchange, routingKey, content, properties } = request
    try {
      reply.channel.publish(exchange, routingKey, content, properties, (error) => {
        if (!error || !this.#pending.has(id)) return
        this.#settle(id)
        request.reject(new WarrenError('PUBLISH_NACKED', `broker refused request ${id}`))
      })
    } catch (error) {
      this.#settle(id)
      request.reject(
        new WarrenError('PUBLISH_FAILED', `cannot publish request ${id}`, { cause: error }),
      )
    }
  }

  #onReply(message: ConsumeMessage): void {
    const id = message.properties.correlationId as unknown
    const request = typeof id === 'string' ? this.#pending.get(id) : undefined
    // A reply to a request that timed out: nobody waits for it any more.
    if (!request) {
      this.logger.debug({ event: 'late-reply', correlationId: id })
      return
    }
    this.#settle(id as string)
    const read = readReply(message, request.routingKey, this.keyring, request.reply)
    if (read.ok) request.resolve(read.body)
    else request.reject(read.error)
  }

  // basic.return comes before the confirm of the same publish: no queue took the request.
  #onReturn(message: Message): void {
    const id = message.properties.correlationId as unknown
    const request = typeof id === 'string' ? this.#pending.get(id) : undefined
    if (!request) return
    this.#settle(id as string)
    const fields = message.fields as Message['fields'] & { replyText?: string }
    request.reject(
      new UnroutableError({
        exchange: request.exchange,
        routingKey: request.routingKey,
        messageId: request.properties.messageId,
        reply: fields.replyText ?? 'NO_ROUTE',
      }),
    )
  }

  #onChannelLost(reply: ReplyChannel): void {
    const { error } = reply
    for (const [id, request] of this.#pending) {
      if (request.sentOn !== reply) continue
      this.#settle(id)
      // The request may or may not have been handled: only the caller can decide to ask again.
      request.reject(
        new WarrenError(
          'REPLY_LOST',
          `the channel of request ${request.properties.messageId} closed before its reply${error ? `: ${error.message}` : ''}`,
          { cause: error },
        ),
      )
    }
  }

  #settle(id: string): void {
    const request = this.#pending.get(id)
    if (!request) return
    clearTimeout(request.timer)
    this.#pending.delete(id)
  }
}
