import type { Channel, ConsumeMessage } from 'amqplib'
import type { Link } from '../connection/connection-manager.js'
import { failureCopyOptions } from '../dead-letter/failure-copy.js'
import { failureHeaders } from '../dead-letter/failure-headers.js'
import { UnroutableError, WarrenError } from '../errors.js'
import { errorFields, type Logger } from '../logging/logger.js'
import type { Publisher } from '../publish/publisher.js'
import { destinationOf, forwardOptions } from './forward.js'
import { DELIVER_DEAD_LETTER_QUEUE, DELIVER_QUEUE } from './levels.js'

const PREFETCH = 50
const RETRY_AFTER_MS = 1_000

export interface ForwarderContext {
  publisher: Publisher
  logger: Logger
  consumerId: string
  link: () => Link | undefined
  /** Declares the delay infrastructure again (someone deleted the deliver queue). */
  redeclare: (link: Link) => Promise<void>
}

interface State {
  channel: Channel
  link: Link
  open: boolean
  consumerTag: string | undefined
}

/**
 * Consumes `warren.delay.deliver` and publishes each message to its destination, confirmed, then
 * acks: a crash in between duplicates, never loses. The bytes pass through unread, so a service
 * without a message's schema or key forwards it all the same. A destination that cannot take it
 * (no exchange, no queue bound) sends it to `warren.delay.deliver.dlq` with the `warren-*`
 * failure headers; anything else (connection trouble) returns it to the queue for a later try.
 */
export class Forwarder {
  #state: State | undefined
  #attachedTo: Link | undefined
  #active = 0
  #idleWaiters: (() => void)[] = []
  #closed = false

  constructor(private readonly context: ForwarderContext) {}

  async attach(link: Link): Promise<void> {
    if (this.#closed || this.#attachedTo === link) return
    this.#attachedTo = link
    try {
      const channel = await link.model.createChannel()
      const state: State = { channel, link, open: true, consumerTag: undefined }
      channel.on('error', (error: Error) =>
        this.context.logger.warn({
          event: 'channel-error',
          queue: DELIVER_QUEUE,
          error: errorFields(error),
        }),
      )
      channel.on('close', () => this.#onClose(state))
      this.#state = state
      await channel.prefetch(PREFETCH)
      const reply = await channel.consume(DELIVER_QUEUE, (delivery) => {
        // The broker cancelled us (the queue was deleted): a new channel declares it again.
        if (delivery === null) void channel.close().catch(() => {})
        else void this.#forward(state, delivery)
      })
      state.consumerTag = reply.consumerTag
    } catch (error) {
      if (this.#attachedTo === link) this.#attachedTo = undefined
      throw error
    }
  }

  /** The connection is gone; the broker redelivers what was not acked. */
  detach(): void {
    if (this.#state) this.#state.open = false
    this.#state = undefined
    this.#attachedTo = undefined
  }

  /** Stops consuming, lets running forwards finish, closes the channel. */
  async close(timeoutMs: number): Promise<void> {
    this.#closed = true
    const state = this.#state
    if (state?.open && state.consumerTag) {
      await state.channel.cancel(state.consumerTag).catch(() => {})
    }
    if (this.#active > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs)
        this.#idleWaiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
    this.#state = undefined
    if (state?.open) {
      state.open = false
      await state.channel.close().catch(() => {})
    }
  }

  async #forward(state: State, delivery: ConsumeMessage): Promise<void> {
    this.#active++
    try {
      const target = destinationOf(delivery)
      if (!target) {
        await this.#deadLetter(
          state,
          delivery,
          new WarrenError('INVALID_PAYLOAD', 'delayed message without its destination headers'),
        )
        return
      }
      try {
        const options = forwardOptions(delivery)
        await this.context.publisher.publish(
          target.exchange,
          target.routingKey,
          delivery.content,
          options,
        )
      } catch (error) {
        if (isPermanent(error)) await this.#deadLetter(state, delivery, error)
        else this.#retryLater(state, delivery, error)
        return
      }
      if (state.open) state.channel.ack(delivery)
    } finally {
      this.#active--
      if (this.#active === 0) for (const resolve of this.#idleWaiters.splice(0)) resolve()
    }
  }

  async #deadLetter(state: State, delivery: ConsumeMessage, error: unknown): Promise<void> {
    const headers = failureHeaders({
      delivery,
      queue: DELIVER_QUEUE,
      attempt: 1,
      error,
      consumer: this.context.consumerId,
      reason: 'non-retryable',
    })
    const options = failureCopyOptions(delivery, headers)
    try {
      await this.context.publisher.publish('', DELIVER_DEAD_LETTER_QUEUE, delivery.content, options)
    } catch (publishError) {
      this.#retryLater(state, delivery, publishError)
      return
    }
    if (state.open) state.channel.ack(delivery)
    this.context.logger.warn({
      event: 'dead-lettered',
      messageId: options.messageId,
      queue: DELIVER_QUEUE,
      target: DELIVER_DEAD_LETTER_QUEUE,
      reason: 'non-retryable',
      error: errorFields(error),
    })
  }

  #retryLater(state: State, delivery: ConsumeMessage, error: unknown): void {
    this.context.logger.warn({
      event: 'forward-failed',
      messageId: delivery.properties.messageId,
      queue: DELIVER_QUEUE,
      error: errorFields(error),
    })
    // Back to the queue after a pause, so a passing outage is not a tight redelivery loop.
    setTimeout(() => {
      if (state.open) state.channel.nack(delivery, false, true)
    }, RETRY_AFTER_MS).unref()
  }

  #onClose(state: State): void {
    const wasCurrent = state.open && state === this.#state
    state.open = false
    if (!wasCurrent || this.#closed) return
    this.#state = undefined
    this.#attachedTo = undefined
    // A channel error on a live connection: no reconnect will reopen it, so do it here.
    const link = state.link
    setTimeout(() => {
      if (this.#closed || this.#state || this.context.link() !== link) return
      this.context
        .redeclare(link)
        .then(() => this.attach(link))
        .catch((error: unknown) =>
          this.context.logger.error({
            event: 'consumer-reopen-failed',
            queue: DELIVER_QUEUE,
            error: errorFields(error),
          }),
        )
    }, 1_000)
  }
}

/** Failures that will fail again on every try. */
function isPermanent(error: unknown): boolean {
  if (error instanceof UnroutableError) return true
  return (
    error instanceof WarrenError &&
    (error.code === 'EXCHANGE_NOT_FOUND' || error.code === 'PUBLISH_FAILED')
  )
}
