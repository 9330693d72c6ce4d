import type { Channel, ConsumeMessage } from 'amqplib'
import type { Link } from '../connection/connection-manager.js'
import { ManagedChannel, type OpenChannel } from '../connection/managed-channel.js'
import { failureCopy } from '../dead-letter/failure-copy.js'
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

type Open = OpenChannel<Channel>

/**
 * Consumes `warren.delay.deliver` and publishes each message to its destination, confirmed, then
 * acks: a crash in between duplicates, never loses. The bytes pass through unread, so a service
 * without a message's schema or key forwards it all the same. A destination that cannot take it
 * (no exchange, no queue bound) sends it to `warren.delay.deliver.dlq` with the `warren-*`
 * failure headers; anything else (connection trouble) returns it to the queue for a later try.
 */
export class Forwarder {
  readonly #channel: ManagedChannel
  #consumerTag: string | undefined
  #active = 0

  constructor(private readonly context: ForwarderContext) {
    this.#channel = new ManagedChannel({
      role: 'forwarder',
      fields: { queue: DELIVER_QUEUE },
      logger: context.logger,
      create: (link) => link.model.createChannel(),
      setup: (open, reopened) => this.#setup(open, reopened),
      reopen: { initialDelayMs: 1_000 },
      busy: () => this.#active > 0,
    })
  }

  attach(link: Link): Promise<void> {
    return this.#channel.attach(link)
  }

  /** The connection is gone; the broker redelivers what was not acked. */
  detach(): void {
    this.#channel.detach()
  }

  /** Stops consuming, lets running forwards finish, closes the channel. */
  close(timeoutMs: number): Promise<void> {
    return this.#channel.close(timeoutMs, async (open) => {
      if (open && this.#consumerTag) await open.channel.cancel(this.#consumerTag).catch(() => {})
    })
  }

  async #setup(open: Open, reopened: boolean): Promise<void> {
    // Someone may have deleted the deliver queue: declare the levels again first.
    if (reopened) await this.context.redeclare(open.link)
    this.#consumerTag = undefined
    await open.channel.prefetch(PREFETCH)
    const reply = await open.channel.consume(DELIVER_QUEUE, (delivery) => {
      // The broker cancelled us (the queue was deleted): a new channel declares it again.
      if (delivery === null) this.#channel.retire(open, 'broker-cancelled')
      else void this.#forward(open, delivery)
    })
    this.#consumerTag = reply.consumerTag
  }

  async #forward(open: Open, delivery: ConsumeMessage): Promise<void> {
    this.#active++
    try {
      const target = destinationOf(delivery)
      if (!target) {
        await this.#deadLetter(
          open,
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
        if (isPermanent(error)) await this.#deadLetter(open, delivery, error)
        else this.#retryLater(open, delivery, error)
        return
      }
      this.#ack(open, delivery)
    } finally {
      this.#active--
      this.#channel.settled()
    }
  }

  async #deadLetter(open: Open, delivery: ConsumeMessage, error: unknown): Promise<void> {
    const options = failureCopy({
      delivery,
      queue: DELIVER_QUEUE,
      attempt: 1,
      error,
      consumer: this.context.consumerId,
      reason: 'non-retryable',
    })
    try {
      await this.context.publisher.publish('', DELIVER_DEAD_LETTER_QUEUE, delivery.content, options)
    } catch (publishError) {
      this.#retryLater(open, delivery, publishError)
      return
    }
    this.#ack(open, delivery)
    this.context.logger.warn({
      event: 'dead-lettered',
      messageId: options.messageId,
      queue: DELIVER_QUEUE,
      target: DELIVER_DEAD_LETTER_QUEUE,
      reason: 'non-retryable',
      error: errorFields(error),
    })
  }

  #retryLater(open: Open, delivery: ConsumeMessage, error: unknown): void {
    this.context.logger.warn({
      event: 'forward-failed',
      messageId: delivery.properties.messageId,
      queue: DELIVER_QUEUE,
      error: errorFields(error),
    })
    // Back to the queue after a pause, so a passing outage is not a tight redelivery loop.
    setTimeout(() => {
      if (this.#channel.isCurrent(open)) open.channel.nack(delivery, false, true)
    }, RETRY_AFTER_MS).unref()
  }

  /** On the channel it came from only: a newer one would take its tag for another delivery. */
  #ack(open: Open, delivery: ConsumeMessage): void {
    if (this.#channel.isCurrent(open)) open.channel.ack(delivery)
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
