import type { Options } from 'amqplib'
import type { Schema } from '../schema.js'
import { ClosedError, TimeoutError } from '../errors.js'
import type { Envelope } from '../publish/envelope.js'
import { silentLogger } from '../logging/logger.js'
import { uuidv7 } from '../publish/uuid.js'
import { readReply, REPLY_TO, requestProperties } from '../rpc/reply.js'
import type { RespondContext } from '../rpc/respond.js'
import { toDelivery, toProperties } from './message.js'

/** A message as a client other than the SDK may send it: any properties. */
interface Raw {
  content: Buffer
  properties: Options.Publish
}

interface Pending {
  routingKey: string
  reply: Schema | undefined
  resolve: (body: unknown) => void
  reject: (error: Error) => void
  timer: NodeJS.Timeout
}

/**
 * The fake's direct reply-to: a request waits here for the reply a responder publishes to
 * `amq.rabbitmq.reply-to`, which is read as the real client reads it (`RemoteError`, `reply`).
 */
export class FakeRequests {
  readonly #pending = new Map<string, Pending>()

  /** `send` routes the request, throwing as the fake's publish does (e.g. `UnroutableError`). */
  request(
    exchange: string,
    routingKey: string,
    envelope: Envelope,
    timeoutMs: number,
    reply: Schema | undefined,
    send: (envelope: Envelope) => void,
  ): Promise<unknown> {
    const correlationId = uuidv7()
    const { messageId } = envelope.properties
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(correlationId)
        const what = `${messageId} ('${routingKey}' on '${exchange}')`
        reject(new TimeoutError(`no reply to ${what} within ${timeoutMs}ms`))
      }, timeoutMs)
      this.#pending.set(correlationId, { routingKey, reply, resolve, reject, timer })
      try {
        const properties = requestProperties(
          envelope.properties,
          correlationId,
          Date.now() + timeoutMs,
        )
        send({ content: envelope.content, properties })
      } catch (error) {
        this.#settle(correlationId)
        reject(error as Error)
      }
    })
  }

  /**
   * What a fake responder replies with: a publish to direct reply-to reaches its request, any
   * other goes through `send` (the fake's routing).
   */
  responderContext(
    service: string,
    send: (exchange: string, routingKey: string, message: Envelope | Raw) => void,
  ): RespondContext {
    const publish = (
      exchange: string,
      routingKey: string,
      content: Buffer,
      props: Raw['properties'],
    ) => {
      if (exchange === '' && routingKey === REPLY_TO) this.#reply(content, props)
      else send(exchange, routingKey, { content, properties: props })
      return Promise.resolve()
    }
    return { publisher: { publish }, logger: silentLogger, service, keyring: undefined }
  }

  /** A reply to a request that timed out is dropped, as the broker does. */
  #reply(content: Buffer, options: Options.Publish): void {
    const id = options.correlationId
    const request = id === undefined ? undefined : this.#settle(id)
    if (!request) return
    const delivery = toDelivery(
      { exchange: '', routingKey: REPLY_TO, content, properties: toProperties(options) },
      0,
    )
    const read = readReply(delivery, request.routingKey, undefined, request.reply)
    if (read.ok) request.resolve(read.body)
    else request.reject(read.error)
  }

  close(): void {
    for (const id of [...this.#pending.keys()]) {
      this.#settle(id)?.reject(new ClosedError('broker closed before the reply came'))
    }
  }

  #settle(id: string): Pending | undefined {
    const request = this.#pending.get(id)
    if (!request) return undefined
    clearTimeout(request.timer)
    this.#pending.delete(id)
    return request
  }
}
