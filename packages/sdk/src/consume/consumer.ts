// Over 300 lines on purpose: deliveries, their channel, acks and recovery are one state machine
// (which channel a delivery may be settled on); split, each half would need the other's state.
import type { Channel, ConsumeMessage } from 'amqplib'
import { backoffDelay } from '../connection/backoff.js'
import type { Link } from '../connection/connection-manager.js'
import { failureCopyOptions } from '../dead-letter/failure-copy.js'
import { failureHeaders } from '../dead-letter/failure-headers.js'
import { WarrenError } from '../errors.js'
import { HEADERS } from '../headers.js'
import { errorFields } from '../logging/logger.js'
import type { ConsumeObserver } from '../metrics/observers.js'
import type { Tracing } from '../tracing/tracing.js'
import type { ResolvedConsumeOptions } from '../options.js'
import type { Runtime } from '../runtime.js'
import { attemptOf } from '../retry/broker-mode.js'
import { routeFailure, type FailureRoute } from '../retry/plan.js'
import type { QueuePlan } from '../topology/plan.js'
import { decodeBody, originalRoutingKey } from './decode.js'
import type { Handler, HandlerMap, Message } from './message.js'
import { runHandler } from './run-handler.js'

/** A consumer that consumed this long before its channel went counts its recovery from 1 again. */
const STABLE_MS = 10_000
const RECOVERY_BACKOFF = { initialDelayMs: 200, maxDelayMs: 30_000, factor: 2, jitter: 0.2 }

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

/** One channel's consumption; deliveries remember it so acks never cross to a newer channel. */
interface ChannelState {
  channel: Channel
  link: Link
  consumerTag: string | undefined
  open: boolean
}

/** A handler's outcome as a value, applied after the handler settles. */
type Outcome =
  | { kind: 'ack'; duplicate?: boolean }
  | { kind: 'fail'; route: FailureRoute; error: unknown; attempt: number }

/** The public face of a running consumer. */
export interface ConsumerHandle {
  readonly queue: string
  /** Stops new deliveries, lets running handlers finish (and their acks go out), then closes. */
  cancel(): Promise<void>
}

export class Consumer implements ConsumerHandle {
  #state: ChannelState | undefined
  #active = 0
  #waiting: [ChannelState, ConsumeMessage][] = []
  #idleWaiters: (() => void)[] = []
  #cancelled = false
  #attachedTo: Link | undefined
  #recovering = false
  /** Recovery attempts since the consumer last stayed up for `STABLE_MS`. */
  #failures = 0
  #consumingSince = 0
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
  }

  get queue(): string {
    return this.plan.name
  }

  /** Handlers running now. */
  get active(): number {
    return this.#active
  }

  /** Opens this consumer's channel on a (new) connection and starts consuming. */
  async attach(link: Link): Promise<void> {
    // Setup and consume() can both reach here for one connection: a second channel would
    // consume unseen and hold its deliveries unacked forever.
    if (this.#cancelled || this.#attachedTo === link) return
    this.#attachedTo = link
    try {
      await this.#open(link)
    } catch (error) {
      if (this.#attachedTo === link) this.#attachedTo = undefined
      throw error
    }
  }

  async #open(link: Link): Promise<void> {
    const channel = await link.model.createChannel()
    const state: ChannelState = { channel, link, consumerTag: undefined, open: true }
    channel.on('error', (error: Error) =>
      this.context.logger.warn({
        event: 'channel-error',
        queue: this.queue,
        error: errorFields(error),
      }),
    )
    channel.on('close', () => this.#onChannelClose(state))
    this.#state = state
    try {
      await channel.prefetch(this.options.prefetch)
      await this.#consume(state)
    } catch (error) {
      // A channel left open without a consumer would only hold a slot until the connection goes.
      if (this.#state === state) this.#state = undefined
      state.open = false
      await channel.close().catch(() => {})
      throw error
    }
  }

  /** The connection is gone: deliveries of its channel are redelivered, so stop touching them. */
  detach(): void {
    if (this.#state) this.#state.open = false
    this.#state = undefined
    this.#attachedTo = undefined
  }

  async cancel(): Promise<void> {
    if (this.#cancelled) return
    this.#cancelled = true
    const state = this.#state
    if (state?.open && state.consumerTag) {
      await state.channel.cancel(state.consumerTag).catch(() => {})
    }
    // Prefetched deliveries not yet started go back to the queue, by a nack: on 4.3 a channel
    // closing on them would count a failed delivery (x-delivery-count, the delivery limit) and
    // hold them back under delayed retry; a nack does neither.
    for (const [waitingState, delivery] of this.#waiting) this.#nack(waitingState, delivery)
    this.#waiting = []
    await this.#idle()
    this.#state = undefined
    if (state?.open) {
      state.open = false
      await state.channel.close().catch(() => {})
    }
    this.context.onClosed(this)
  }

  async #consume(state: ChannelState): Promise<void> {
    const reply = await state.channel.consume(this.queue, (delivery) => {
      if (delivery === null) this.#onBrokerCancel(state)
      else this.#onDelivery(state, delivery)
    })
    state.consumerTag = reply.consumerTag
    this.#consumingSince = Date.now()
  }

  #onDelivery(state: ChannelState, delivery: ConsumeMessage): void {
    // Arrived while cancelling (before the broker's cancel-ok): back to the queue by a nack, as
    // cancel() returns the unstarted ones, not by the channel's close (a failed delivery on 4.x).
    if (this.#cancelled) {
      this.#nack(state, delivery)
      return
    }
    if (this.#active < this.options.concurrency) void this.#run(state, delivery)
    else this.#waiting.push([state, delivery])
  }

  async #run(state: ChannelState, delivery: ConsumeMessage): Promise<void> {
    this.#active++
    const startedAt = Date.now()
    try {
      const outcome = await this.#process(delivery)
      await this.#apply(state, delivery, outcome, startedAt)
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
    while (this.#active < this.options.concurrency && !this.#cancelled) {
      const item = this.#waiting.shift()
      if (!item) break
      // A closed channel's deliveries come again on the new one: running them now only duplicates.
      if (item[0].open) void this.#run(item[0], item[1])
    }
    if (this.#active === 0) {
      const waiters = this.#idleWaiters
      this.#idleWaiters = []
      for (const resolve of waiters) resolve()
    }
  }

  async #process(delivery: ConsumeMessage): Promise<Outcome> {
    const headers = delivery.properties.headers ?? {}
    const brokerRetry = this.plan.brokerRetry !== undefined && this.context.delayedRetry()
    const attempt = attemptOf(headers, brokerRetry)
    const tracing = this.context.tracing
    if (!tracing) return this.#decide(delivery, headers, attempt, brokerRetry)
    const span = tracing.startProcess(this.queue, delivery, attempt)
    const outcome = await span.run(() => this.#decide(delivery, headers, attempt, brokerRetry))
    if (outcome.kind === 'ack') span.end('ack')
    else span.end(outcome.route.kind === 'retry' ? 'retry' : 'dead_letter', outcome.error)
    return outcome
  }

  async #decide(
    delivery: ConsumeMessage,
    headers: Record<string, unknown>,
    attempt: number,
    brokerRetry: boolean,
  ): Promise<Outcome> {
    const routingKey = originalRoutingKey(delivery)
    const decoded = decodeBody(delivery, this.context.messages, routingKey, this.context.keyring)
    if (!decoded.ok) {
      const route: FailureRoute = {
        kind: 'dead-letter',
        reason: 'invalid-payload',
        queue: this.plan.deadLetterQueue,
      }
      return { kind: 'fail', route, error: decoded.error, attempt }
    }
    const handler = this.#handlerFor(delivery, routingKey)
    if (!handler) {
      const route: FailureRoute = {
        kind: 'dead-letter',
        reason: 'no-handler',
        queue: this.plan.deadLetterQueue,
      }
      const error = new WarrenError(
        'NO_HANDLER',
        `no handler on '${this.queue}' for message '${messageName(delivery, routingKey)}'`,
      )
      return { kind: 'fail', route, error, attempt }
    }
    const messageId = String(delivery.properties.messageId ?? '')
    const idempotency = this.options.idempotency
    const key = `${this.queue}:${messageId}`
    if (idempotency && messageId) {
      if (!(await idempotency.store.claim(key, idempotency.ttlMs))) {
        return { kind: 'ack', duplicate: true }
      }
    }
    const message: Message<unknown> = {
      body: decoded.body,
      messageId,
      attempt,
      queue: this.queue,
      routingKey,
      exchange: stringOr(headers[HEADERS.originalExchange], delivery.fields.exchange),
      redelivered: delivery.fields.redelivered,
      headers,
      properties: delivery.properties,
      content: decoded.content,
    }
    const observer = this.#observer
    const started = observer ? performance.now() : 0
    try {
      await runHandler(handler, message, this.options.timeoutMs)
      return { kind: 'ack' }
    } catch (error) {
      if (idempotency && messageId) await idempotency.store.release(key).catch(() => {})
      const route = routeFailure(this.plan, attempt, error, brokerRetry)
      return { kind: 'fail', route, error, attempt }
    } finally {
      observer?.handled((performance.now() - started) / 1000)
    }
  }

  #handlerFor(delivery: ConsumeMessage, routingKey: string): Handler<unknown> | undefined {
    if (typeof this.handler === 'function') return this.handler
    const map = this.handler as Readonly<Record<string, Handler<unknown> | undefined>>
    return map[messageName(delivery, routingKey)] ?? map[routingKey]
  }

  async #apply(
    state: ChannelState,
    delivery: ConsumeMessage,
    outcome: Outcome,
    startedAt: number,
  ): Promise<void> {
    if (outcome.kind === 'ack') {
      if (outcome.duplicate) {
        this.context.logger.info({
          event: 'duplicate-skipped',
          queue: this.queue,
          messageId: delivery.properties.messageId,
        })
      }
      this.#ack(state, delivery)
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
      this.#requeueFailed(state, delivery)
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
      this.#reject(state, delivery)
      this.#observer?.deadLetter()
      return
    }
    const reason = route.kind === 'dead-letter' ? route.reason : undefined
    const headers = failureHeaders({
      delivery,
      queue: this.queue,
      attempt,
      error,
      consumer: this.context.consumerId,
      ...(reason && { reason }),
    })
    const target = route.queue as string
    const options = failureCopyOptions(delivery, headers)
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
      this.#nack(state, delivery)
      return
    }
    this.#ack(state, delivery)
    if (route.kind === 'retry') this.#observer?.retry()
    else this.#observer?.deadLetter()
    const done = { ...fields, messageId: options.messageId, durationMs: Date.now() - startedAt }
    if (route.kind === 'retry') {
      this.context.logger.info({ event: 'retried', ...done, target, delayMs: route.delayMs })
    } else {
      this.context.logger.warn({ event: 'dead-lettered', ...done, target, reason: route.reason })
    }
  }

  #ack(state: ChannelState, delivery: ConsumeMessage): void {
    // An ack on a newer channel would name someone else's delivery tag: drop it, the broker
    // redelivers the message.
    if (state.open && state === this.#state) state.channel.ack(delivery)
  }

  #reject(state: ChannelState, delivery: ConsumeMessage): void {
    if (state.open && state === this.#state) state.channel.nack(delivery, false, false)
  }

  #requeueFailed(state: ChannelState, delivery: ConsumeMessage): void {
    if (state.open && state === this.#state) state.channel.reject(delivery, true)
  }

  #nack(state: ChannelState, delivery: ConsumeMessage): void {
    if (state.open && state === this.#state) state.channel.nack(delivery, false, true)
  }

  #idle(): Promise<void> {
    if (this.#active === 0) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.closeTimeoutMs)
      this.#idleWaiters.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  #onChannelClose(state: ChannelState): void {
    const wasCurrent = state.open && state === this.#state
    state.open = false
    if (!wasCurrent || this.#cancelled) return
    this.#state = undefined
    this.#attachedTo = undefined
    // Closed by a channel error on a live connection (a consume refused with 404 while the queue
    // is being deleted, an ack the broker no longer knows): no reconnect will reopen it.
    this.#recover(state.link, 'channel-closed')
  }

  /** The broker cancelled us (queue deleted, 4.x quorum consumer timeout): consume again. */
  #onBrokerCancel(state: ChannelState): void {
    if (this.#cancelled || !state.open) return
    state.consumerTag = undefined
    this.context.logger.warn({ event: 'consumer-cancelled', queue: this.queue })
    this.context.onBrokerCancel(this.queue, 'cancelled')
    this.#resumeAfterCancel = true
    // What this channel delivered is gone with the queue, or (a consumer timeout) back in it
    // already: an ack would name a tag the broker no longer knows and close the channel.
    state.open = false
    this.#state = undefined
    this.#attachedTo = undefined
    state.channel.close().catch(() => {})
    this.#recover(state.link, 'broker-cancelled')
  }

  /**
   * The one way back for a consumer on a live connection: declare the queue's topology again
   * (it may be gone, or on 4.x still being deleted), then consume again on a new channel. Backs off between attempts, and counts on from the last
   * recovery when the consumer did not stay up for `STABLE_MS`, so a queue that keeps vanishing
   * costs a few attempts a minute, never a hot loop. A lost connection is not ours to handle:
   * the reconnect attaches again.
   */
  #recover(link: Link, reason: 'channel-closed' | 'broker-cancelled'): void {
    if (this.#recovering) return
    this.#recovering = true
    if (Date.now() - this.#consumingSince > STABLE_MS) this.#failures = 0
    void (async () => {
      try {
        while (!this.#cancelled && this.context.link() === link) {
          const attempt = ++this.#failures
          const delayMs = backoffDelay(attempt, RECOVERY_BACKOFF)
          this.context.logger.warn({
            event: 'consumer-recovering',
            queue: this.queue,
            reason,
            attempt,
            delayMs,
          })
          await new Promise((resolve) => setTimeout(resolve, delayMs))
          if (this.#cancelled || this.context.link() !== link) return
          try {
            await this.context.redeclare(this.plan, link)
            await this.attach(link)
          } catch (error) {
            this.context.logger.error({
              event: 'consumer-resume-failed',
              queue: this.queue,
              attempt,
              error: errorFields(error),
            })
            continue
          }
          this.context.logger.info({ event: 'consumer-resumed', queue: this.queue, attempt })
          if (this.#resumeAfterCancel) {
            this.#resumeAfterCancel = false
            this.context.onBrokerCancel(this.queue, 'resumed')
          }
          return
        }
      } finally {
        this.#recovering = false
      }
    })()
  }
}

function messageName(delivery: ConsumeMessage, routingKey: string): string {
  const type: unknown = delivery.properties.type
  return typeof type === 'string' && type !== '' ? type : routingKey
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === 'string' ? value : fallback
}
