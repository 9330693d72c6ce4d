import type { ConfirmChannel, ConsumeMessage, Message, Options } from 'amqplib'
import type { z } from 'zod'
import type { Link } from '../connection/connection-manager.js'
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
  reply: z.ZodType | undefined
  resolve: (body: unknown) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
  /** The channel it was sent on; its replies can come only there. */
  channel: ConfirmChannel | undefined
}

/** The reply channel of one connection: it consumes direct reply-to and carries the requests. */
interface ReplyChannel {
  channel: ConfirmChannel
  link: Link
}

/**
 * Request/reply over direct reply-to: no reply queue is declared. Requests are published on the
 * channel that consumes `amq.rabbitmq.reply-to` (no-ack), as RabbitMQ requires, and matched to
 * replies by correlation id. Every way a request ends (reply, timeout, return, lost channel)
 * removes its map entry and timer, and no listener is added per request.
 */
export class RpcClient {
  readonly #pending = new Map<string, PendingRequest>()
  #reply: ReplyChannel | undefined
  #opening: Promise<ReplyChannel> | undefined
  /** Requests made while disconnected, sent by the next `attach`. */
  #waiting: PendingRequest[] = []
  #closed = false

  private readonly link: () => Link | undefined
  private readonly logger: Logger
  private readonly keyring: Keyring | undefined

  constructor(runtime: Pick<Runtime, 'link' | 'logger' | 'keyring'>) {
    this.link = runtime.link
    this.logger = runtime.logger
    this.keyring = runtime.keyring
  }

  /** Open requests: each holds one map entry and one timer until it settles. */
  get pending(): number {
    return this.#pending.size
  }

  /** Listeners on the reply channel; constant however many requests ran. */
  get listeners(): number {
    const channel = this.#reply?.channel
    if (!channel) return 0
    return channel.eventNames().reduce((n, name) => n + channel.listenerCount(name), 0)
  }

  request(
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: Options.Publish & { messageId: string },
    timeoutMs: number,
    reply?: z.ZodType,
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
        channel: undefined,
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
    this.#closed = true
    for (const [id, request] of this.#pending) {
      this.#settle(id)
      request.reject(new ClosedError('broker closed before the reply came'))
    }
    this.#waiting = []
    const reply = this.#reply
    this.#reply = undefined
    if (reply) await reply.channel.close().catch(() => {})
  }

  async #send(link: Link, request: PendingRequest): Promise<void> {
    const id = request.properties.correlationId as string
    let reply: ReplyChannel
    try {
      reply = await this.#channelOn(link)
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
    request.channel = reply.channel
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

  #channelOn(link: Link): Promise<ReplyChannel> {
    if (this.#reply?.link === link) return Promise.resolve(this.#reply)
    this.#opening ??= this.#open(link).finally(() => {
      this.#opening = undefined
    })
    return this.#opening
  }

  async #open(link: Link): Promise<ReplyChannel> {
    const channel = await link.model.createConfirmChannel()
    const reply: ReplyChannel = { channel, link }
    let channelError: Error | undefined
    channel.on('error', (error: Error) => {
      channelError = error
    })
    channel.on('return', (message: Message) => this.#onReturn(message))
    channel.on('close', () => {
      if (this.#reply === reply) this.#reply = undefined
      this.#onChannelLost(channel, channelError)
    })
    await channel.consume(REPLY_TO, (message) => message && this.#onReply(message), {
      noAck: true,
    })
    if (this.#closed) {
      await channel.close().catch(() => {})
      throw new ClosedError('broker is closed')
    }
    this.#reply = reply
    return reply
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

  #onChannelLost(channel: ConfirmChannel, error: Error | undefined): void {
    for (const [id, request] of this.#pending) {
      if (request.channel !== channel) continue
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
    if (error) this.logger.warn({ event: 'reply-channel-closed', error: errorFields(error) })
  }

  #settle(id: string): void {
    const request = this.#pending.get(id)
    if (!request) return
    clearTimeout(request.timer)
    this.#pending.delete(id)
  }
}
