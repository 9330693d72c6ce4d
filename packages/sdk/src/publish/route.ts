import { toMs } from '../duration.js'
import { ClosedError } from '../errors.js'
import type { PublishOptions } from '../options.js'
import type { Tracing } from '../tracing/tracing.js'
import { buildEnvelope, type Envelope, type EnvelopeContext } from './envelope.js'

/** A publish without options: shared rather than a new `{}` per message. */
const NO_OPTIONS: PublishOptions = Object.freeze({})

/** One message of a batch publish. */
export interface BatchItem<E extends string = string, RK extends string = string> {
  exchange: E
  routingKey: RK
  body: unknown
  options?: PublishOptions
}

/** Where envelopes go: the real broker's publisher and delay levels, or the fake's queues. */
export interface Transport {
  /** Resolves when the broker confirmed the message. */
  now(exchange: string, routingKey: string, envelope: Envelope, timeoutMs?: number): Promise<void>
  /** Resolves when the message waits for its delay (the real broker: the levels confirmed it). */
  later(
    exchange: string,
    routingKey: string,
    envelope: Envelope,
    delayMs: number,
    timeoutMs?: number,
  ): Promise<void>
}

export interface PublishingContext extends EnvelopeContext {
  tracing: Tracing | undefined
  closed: () => boolean
}

/**
 * Every publish, immediate, delayed or batched, takes one path: its span starts, its envelope is
 * built (nothing is sent when one is refused), it goes now or through the delay levels, and the
 * span tracks its confirm. The real broker and the fake differ only by their `Transport`.
 */
export class Publishing {
  constructor(
    private readonly context: PublishingContext,
    private readonly transport: Transport,
  ) {}

  /** The envelope of a message that does not go through `publish` (a request), or a check. */
  envelope(routingKey: string, body: unknown, options: PublishOptions): Envelope {
    if (this.context.closed()) throw new ClosedError()
    return buildEnvelope(this.context, routingKey, body, options)
  }

  publish(
    exchange: string,
    routingKey: string,
    body: unknown,
    options: PublishOptions = NO_OPTIONS,
  ): Promise<void> {
    const span = this.context.tracing?.startPublish(exchange, routingKey, options.traceparent)
    try {
      if (this.context.closed()) throw new ClosedError()
      const envelope = buildEnvelope(this.context, routingKey, body, options, span?.headers)
      span?.prepared(envelope.properties.messageId, envelope.content.length, options.correlationId)
      const sent = this.#send(exchange, routingKey, envelope, options)
      return span ? span.track(sent) : sent
    } catch (error) {
      span?.fail(error)
      return Promise.reject(error as Error)
    }
  }

  /** Every envelope is built before anything is sent; rejects with the first failure. */
  async batch(items: readonly BatchItem[]): Promise<void> {
    const tracing = this.context.tracing
    const spans = items.map((item) =>
      tracing?.startPublish(item.exchange, item.routingKey, item.options?.traceparent),
    )
    let envelopes: Envelope[]
    try {
      if (this.context.closed()) throw new ClosedError()
      envelopes = items.map((item, i) => {
        const span = spans[i]
        const envelope = buildEnvelope(
          this.context,
          item.routingKey,
          item.body,
          item.options ?? {},
          span?.headers,
        )
        const { messageId } = envelope.properties
        span?.prepared(messageId, envelope.content.length, item.options?.correlationId)
        return envelope
      })
    } catch (error) {
      for (const span of spans) span?.fail(error)
      throw error
    }
    await Promise.all(
      envelopes.map((envelope, i) => {
        const item = items[i] as BatchItem
        const span = spans[i]
        let sent: Promise<void>
        try {
          sent = this.#send(item.exchange, item.routingKey, envelope, item.options ?? {})
        } catch (error) {
          sent = Promise.reject(error as Error)
        }
        return span ? span.track(sent) : sent
      }),
    )
  }

  /** The one place that decides between now and later. */
  #send(
    exchange: string,
    routingKey: string,
    envelope: Envelope,
    options: PublishOptions,
  ): Promise<void> {
    const timeoutMs = options.timeout === undefined ? undefined : toMs(options.timeout)
    const delayMs = options.delay === undefined ? 0 : toMs(options.delay)
    return delayMs > 0
      ? this.transport.later(exchange, routingKey, envelope, delayMs, timeoutMs)
      : this.transport.now(exchange, routingKey, envelope, timeoutMs)
  }
}
