import type { Channel, ConsumeMessage } from 'amqplib'
import type { Link } from '../connection/connection-manager.js'
import { ManagedChannel, type OpenChannel } from '../connection/managed-channel.js'
import { errorFields } from '../logging/logger.js'
import type { ConsumeObserver } from '../metrics/observers.js'
import type { Tracing } from '../tracing/tracing.js'
import type { ResolvedConsumeOptions } from '../options.js'
import type { Runtime } from '../runtime.js'
import type { QueuePlan } from '../topology/plan.js'
import type { Handler, HandlerMap } from './message.js'
import { copyOfFailure, processDelivery, type Outcome, type Pipeline } from './pipeline.js'

/** What a consumer needs from its broker: the shared runtime, and its own hooks. */
export interface ConsumerContext extends Pick<
  Runtime,
  'publisher' | 'logger' | 'consumerId' | 'messages' | 'keyring' | 'link' | 'delayedRetry'
> {
  /** Declares the queue's topology again (after the broker cancelled the consumer). */
  redeclare: (plan: QueuePlan, link: Link) => Promise<void>
  onBrokerCancel: (queue: string, phase: 'cancelled' | 'resumed') => void
  onClosed: (consumer: Consumer) => void
  /** Metrics, when enabled: binds this consumer's queue once. */
  metrics?: { forQueue(queue: string): ConsumeObserver } | undefined
  /** Tracing, when enabled: a `process` span per delivery, active while the handler runs. */
  tracing?: Tracing | undefined
}

/** The public face of a running consumer. */
export interface ConsumerHandle {
  readonly queue: string
  /** Stops new deliveries, lets running handlers finish (and their acks go out), then closes. */
  cancel(): Promise<void>
}

/** The channel a delivery came on: it is settled there or not at all. */
type Open = OpenChannel<Channel>

/** How a delivery leaves the channel (each with its own effect on the broker's counts). */
type Settle = 'ack' | 'nack' | 'reject' | 'requeue-failed'

export class Consumer implements ConsumerHandle {
  readonly #channel: ManagedChannel
  readonly #pipeline: Pipeline
  #consumerTag: string | undefined
  #active = 0
  #waiting: [Open, ConsumeMessage][] = []
  /** A broker cancel is being recovered from: announce `resumed` when consuming again. */
  #resumeAfterCancel = false
  readonly #observer: ConsumeObserver | undefined

  constructor(
    private readonly context: ConsumerContext,
    private readonly plan: QueuePlan,
    private readonly handler: Handler<unknown> | HandlerMap,
    private readonly options: ResolvedConsumeOptions,
    private readonly closeTimeoutMs: number,
  ) {
    this.#observer = context.metrics?.forQueue(plan.name)
    this.#pipeline = {
      plan,
      handler,
      options,
      messages: context.messages,
      keyring: context.keyring,
      brokerRetry: () => plan.brokerRetry !== undefined && context.delayedRetry(),
      observer: this.#observer,
      tracing: context.tracing,
    }
    this.#channel = new ManagedChannel({
      role: 'consumer',
      fields: { queue: plan.name },
      logger: context.logger,
      create: (link) => link.model.createChannel(),
      setup: (open, reopened) => this.#setup(open, reopened),
      reopen: { initialDelayMs: 200, jitter: 0.2, stableMs: 10_000 },
      busy: () => this.#active > 0,
    })
  }

  get queue(): string {
    return this.plan.name
  }

  /** Handlers running now. */
  get active(): number {
    return this.#active
  }

  /** Opens this consumer's channel on a (new) connection and starts consuming. */
  attach(link: Link): Promise<void> {
    return this.#channel.attach(link)
  }

  /** The connection is gone: deliveries of its channel are redelivered, so stop touching them. */
  detach(): void {
    this.#channel.detach()
  }

  async cancel(): Promise<void> {
    if (this.#channel.closed) return
    await this.#channel.close(this.closeTimeoutMs, async (open) => {
      if (open && this.#consumerTag) {
        await open.channel.cancel(this.#consumerTag).catch(() => {})
      }
      // Prefetched deliveries not yet started go back to the queue, by a nack: on 4.3 a channel
      // closing on them would count a failed delivery (x-delivery-count, the delivery limit) and
      // hold them back under delayed retry; a nack does neither.
      for (const [from, delivery] of this.#waiting.splice(0)) this.#settle(from, delivery, 'nack')
    })
    this.context.onClosed(this)
  }

  async #setup(open: Open, reopened: boolean): Promise<void> {
    // After a loss the queue may be gone, or on 4.x still being deleted: declare it again first.
    if (reopened) await this.context.redeclare(this.plan, open.link)
    this.#consumerTag = undefined
    await open.channel.prefetch(this.options.prefetch)
    const reply = await open.channel.consume(this.queue, (delivery) => {
      if (delivery === null) this.#onBrokerCancel(open)
      else this.#onDelivery(open, delivery)
    })
    this.#consumerTag = reply.consumerTag
    if (reopened && this.#resumeAfterCancel) {
      this.#resumeAfterCancel = false
      this.context.onBrokerCancel(this.queue, 'resumed')
    }
  }

  #onDelivery(open: Open, delivery: ConsumeMessage): void {
    // Arrived while cancelling (before the broker's cancel-ok): back to the queue by a nack, as
    // cancel() returns the unstarted ones, not by the channel's close (a failed delivery on 4.x).
    if (this.#channel.closed) {
      this.#settle(open, delivery, 'nack')
      return
    }
    if (this.#active < this.options.concurrency) void this.#run(open, delivery)
    else this.#waiting.push([open, delivery])
  }

  async #run(open: Open, delivery: ConsumeMessage): Promise<void> {
    this.#active++
    const startedAt = Date.now()
    try {
      const outcome = await processDelivery(this.#pipeline, delivery)
      // The common case settles here, without another async step per message.
      if (outcome.kind === 'ack') {
        this.#settle(open, delivery, 'ack')
        this.#observer?.ack()
      } else await this.#apply(open, delivery, outcome, startedAt)
    } catch (error) {
      this.context.logger.error({
        event: 'consume-failed',
        queue: this.queue,
        error: errorFields(error),
      })
    } finally {
      this.#active--
      this.#next()
    }
  }

  #next(): void {
    while (this.#active < this.options.concurrency && !this.#channel.closed) {
      const item = this.#waiting.shift()
      if (!item) break
      // A closed channel's deliveries come again on the new one: running them now only duplicates.
      if (this.#channel.isCurrent(item[0])) void this.#run(item[0], item[1])
    }
    this.#channel.settled()
  }

  async #apply(
    open: Open,
    delivery: ConsumeMessage,
    outcome: Outcome,
    startedAt: number,
  ): Promise<void> {
    if (outcome.kind !== 'fail') {
      if (outcome.kind === 'duplicate') {
        this.context.logger.info({
          event: 'duplicate-skipped',
          queue: this.queue,
          messageId: delivery.properties.messageId,
        })
      }
      this.#settle(open, delivery, 'ack')
      this.#observer?.ack()
      return
    }
    const { route, error, attempt } = outcome
    const fields = {
      messageId: delivery.properties.messageId as unknown,
      queue: this.queue,
      attempt,
      error: errorFields(error),
    }
    if (route.kind === 'retry' && route.via === 'broker') {
      // Back to the queue by basic.reject, which raises x-delivery-count (the next attempt's
      // number) and makes the broker hold it for the delay; a nack would do neither.
      this.#settle(open, delivery, 'requeue-failed')
      this.#observer?.retry()
      const durationMs = Date.now() - startedAt
      const retried = { ...fields, durationMs, target: route.queue, delayMs: route.delayMs }
      this.context.logger.info({ event: 'retried', ...retried })
      return
    }
    if (route.kind === 'dead-letter' && route.queue === undefined) {
      // No DLQ declared: reject without requeue, so dead-lettering the operator configured
      // (a policy, or the queue's own arguments) still applies; without any, the broker drops it.
      this.context.logger.warn({ event: 'rejected', queue: this.queue, reason: route.reason })
      this.#settle(open, delivery, 'reject')
      this.#observer?.deadLetter()
      return
    }
    const options = copyOfFailure(delivery, outcome, this.queue, this.context.consumerId)
    const target = route.queue as string
    try {
      // Default exchange, confirmed, then the ack: a crash in between duplicates, never loses.
      await this.context.publisher.publish('', target, delivery.content, options)
    } catch (publishError) {
      this.context.logger.error({
        event: 'failure-publish-failed',
        queue: this.queue,
        target,
        messageId: options.messageId,
        error: errorFields(publishError),
      })
      this.#settle(open, delivery, 'nack')
      return
    }
    this.#settle(open, delivery, 'ack')
    if (route.kind === 'retry') this.#observer?.retry()
    else this.#observer?.deadLetter()
    const done = { ...fields, messageId: options.messageId, durationMs: Date.now() - startedAt }
    if (route.kind === 'retry') {
      this.context.logger.info({ event: 'retried', ...done, target, delayMs: route.delayMs })
    } else {
      this.context.logger.warn({ event: 'dead-lettered', ...done, target, reason: route.reason })
    }
  }

  /**
   * On the channel the delivery came on, or not at all: on a newer channel its tag would name
   * someone else's delivery, and the broker redelivers it anyway.
   */
  #settle(open: Open, delivery: ConsumeMessage, how: Settle): void {
    if (!this.#channel.isCurrent(open)) return
    if (how === 'ack') open.channel.ack(delivery)
    // Back to the queue, not counted as a failed delivery.
    else if (how === 'nack') open.channel.nack(delivery, false, true)
    // To the queue's dead-letter exchange, if anyone configured one.
    else if (how === 'reject') open.channel.nack(delivery, false, false)
    else open.channel.reject(delivery, true)
  }

  /** The broker cancelled us (queue deleted, 4.x quorum consumer timeout): consume again. */
  #onBrokerCancel(open: Open): void {
    if (this.#channel.closed || !this.#channel.isCurrent(open)) return
    this.#consumerTag = undefined
    this.context.logger.warn({ event: 'consumer-cancelled', queue: this.queue })
    this.context.onBrokerCancel(this.queue, 'cancelled')
    this.#resumeAfterCancel = true
    // What this channel delivered is gone with the queue, or (a consumer timeout) back in it
    // already: an ack would name a tag the broker no longer knows and close the channel.
    this.#channel.retire(open, 'broker-cancelled')
  }
}
