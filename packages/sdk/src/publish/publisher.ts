import { IllegalOperationError, type ConfirmChannel, type Message, type Options } from 'amqplib'
import type { Link } from '../connection/connection-manager.js'
import { ManagedChannel, type OpenChannel } from '../connection/managed-channel.js'
import {
  BufferFullError,
  ClosedError,
  MessageTooLargeError,
  TimeoutError,
  UnroutableError,
  WarrenError,
} from '../errors.js'
import { silentLogger } from '../logging/logger.js'
import type { PublishObserver } from '../metrics/observers.js'
import type { ResolvedConnectOptions } from '../options.js'
import { defaultMaxMessageSize, refusedMaxSize } from './max-size.js'
import { answerError, Held, InFlight, Pending, refusal, refusedTooOften } from './pending.js'

const SWEEP_INTERVAL_MS = 250

type Open = OpenChannel<ConfirmChannel>

/**
 * Publishes on one confirm channel. Confirms are matched by delivery tag (a sequence map), so
 * any number of publishes are in flight at once. While there is no channel or the broker is
 * blocked, publishes wait in a bounded buffer; those unconfirmed when a channel closes go back
 * to the front of it and are sent again: duplicates possible, loss not.
 */
export class Publisher {
  readonly #channel: ManagedChannel<ConfirmChannel>
  readonly #inFlight = new InFlight()
  readonly #held = new Held((pending) => {
    this.#reject(pending, new TimeoutError(this.#timeoutMessage(pending)))
    this.#channel.settled()
  })
  #blocked = false
  #sweepTimer: NodeJS.Timeout | undefined
  /** The limit the broker named when it refused a message: truer than any default. */
  #refusedAbove: number | undefined
  /** The default limit of the broker version that `link` reports. */
  #versionLimit: { link: Link; limit: number } | undefined
  readonly #logEach: boolean
  /** Metrics, when enabled: told each publish's outcome. */
  observer: PublishObserver | undefined

  constructor(private readonly options: ResolvedConnectOptions) {
    this.#logEach = options.logger !== silentLogger
    this.#channel = new ManagedChannel({
      role: 'publisher',
      fields: {},
      logger: options.logger,
      create: (link) => link.model.createConfirmChannel(),
      setup: (open) => this.#setup(open),
      onError: (open, error) => this.#onChannelError(open, error),
      onLost: (open) => this.#onChannelLost(open),
      reopen: { initialDelayMs: 50 },
      busy: () => this.#held.size > 0 || this.#inFlight.size > 0,
    })
  }

  /** Opens the confirm channel on a new connection and sends what waited. */
  attach(link: Link): Promise<void> {
    return this.#channel.attach(link)
  }

  /** The connection is gone: its channel will not come back, attach() opens the next one. */
  detach(): void {
    this.#channel.detach()
  }

  setBlocked(blocked: boolean): void {
    this.#blocked = blocked
    if (!blocked) this.#flush()
  }

  publish(
    exchange: string,
    routingKey: string,
    content: Buffer,
    options: Options.Publish & { messageId: string },
    timeoutMs = this.options.publish.timeoutMs,
  ): Promise<void> {
    if (this.#channel.closed) return Promise.reject(new ClosedError())
    const now = Date.now()
    const pending = new Pending(exchange, routingKey, content, options, now, now + timeoutMs)
    const open = this.#ready()
    if (open && this.#held.size === 0 && this.#send(open, pending)) return pending.promise
    const { bufferSize, overflow } = this.options.publish
    if (this.#held.size >= bufferSize && overflow === 'reject') {
      this.#reject(pending, new BufferFullError(bufferSize))
    } else {
      this.#hold(pending, false)
    }
    return pending.promise
  }

  /** Resolves when nothing is held or in flight (or `timeoutMs` passed). */
  drain(timeoutMs: number): Promise<void> {
    return this.#channel.idle(timeoutMs)
  }

  /** Rejects everything still waiting with ClosedError and closes the channel. */
  async close(): Promise<void> {
    clearInterval(this.#sweepTimer)
    this.#sweepTimer = undefined
    const error = new ClosedError('broker closed before the publish was confirmed')
    for (const pending of [...this.#held.takeAll(), ...this.#inFlight.takeAll()]) {
      this.#reject(pending, error)
    }
    await this.#channel.close()
  }

  /** Publishes waiting for a channel (disconnected or blocked). */
  get buffered(): number {
    return this.#held.size
  }

  /** The channel to send on now, if any. */
  #ready(): Open | undefined {
    return this.#blocked ? undefined : this.#channel.current
  }

  /** The broker's maximum body size, as far as this client can know it. */
  #maxMessageSize(open: Open): number {
    const known = this.#refusedAbove ?? this.options.maxMessageSize
    if (known !== undefined) return known
    // Read off the version once per connection: this runs for every message sent.
    if (this.#versionLimit?.link !== open.link) {
      const limit = defaultMaxMessageSize(open.link.serverVersion)
      this.#versionLimit = { link: open.link, limit }
    }
    return this.#versionLimit.limit
  }

  /** False when the channel is closing: the caller holds the publish for the next channel. */
  #send(open: Open, pending: Pending): boolean {
    // Sent anyway, the broker would close the channel, and every publish in flight with it.
    const limit = this.#maxMessageSize(open)
    if (pending.content.length > limit) {
      const { messageId } = pending.options
      this.#reject(
        pending,
        new MessageTooLargeError({ messageId, size: pending.content.length, limit }),
      )
      return true
    }
    try {
      open.channel.publish(pending.exchange, pending.routingKey, pending.content, pending.options)
    } catch (error) {
      if (error instanceof IllegalOperationError) return false
      // amqplib refused to encode it (e.g. headers over 64 KiB): no channel will take it.
      this.#reject(
        pending,
        new WarrenError('PUBLISH_FAILED', `cannot publish ${pending.options.messageId}`, {
          cause: error,
        }),
      )
      return true
    }
    if (this.observer) pending.sentAt = performance.now()
    this.#inFlight.add(pending)
    this.#sweepTimer ??= setInterval(() => this.#sweep(), SWEEP_INTERVAL_MS)
    return true
  }

  // One timer for all in-flight publishes instead of one each: a confirm that never comes (the
  // broker blocked mid-stream, a silent network) still rejects close to the caller's timeout.
  #sweep(): void {
    if (this.#inFlight.size === 0) {
      clearInterval(this.#sweepTimer)
      this.#sweepTimer = undefined
      return
    }
    const now = Date.now()
    const late = (pending: Pending) =>
      pending.deadline > now ? undefined : new TimeoutError(this.#timeoutMessage(pending))
    for (const [pending, error] of this.#inFlight.fail(late)) this.#reject(pending, error)
    this.#channel.settled()
  }

  #hold(pending: Pending, front: boolean): void {
    if (this.#held.add(pending, front)) return
    this.#reject(pending, new TimeoutError(this.#timeoutMessage(pending)))
  }

  #timeoutMessage(pending: Pending): string {
    const why = this.#blocked
      ? 'the broker is blocked'
      : this.#channel.current
        ? 'no confirm from the broker'
        : 'the broker is unreachable'
    return `publish of ${pending.options.messageId} not confirmed in time: ${why}`
  }

  #flush(): void {
    const open = this.#ready()
    if (!open || this.#held.size === 0) return
    const held = this.#held.takeAll()
    for (let i = 0; i < held.length; i++) {
      if (!this.#send(open, held[i] as Pending)) {
        for (const rest of held.slice(i)) this.#hold(rest, false)
        return
      }
    }
  }

  #settle(open: Open, tag: number, multiple: boolean, nacked = false): void {
    if (!this.#channel.isCurrent(open)) return
    this.#inFlight.take(tag, multiple, nacked ? this.#finishNacked : this.#finishAcked)
    this.#channel.settled()
  }

  #resolve(pending: Pending): void {
    pending.resolve()
    this.observer?.published(pending.exchange, pending.routingKey, 'confirmed')
  }

  #reject(pending: Pending, error: Error): void {
    pending.reject(error)
    this.observer?.published(
      pending.exchange,
      pending.routingKey,
      error instanceof UnroutableError ? 'returned' : 'failed',
    )
  }

  // Bound once: a confirm of many publishes calls one of these for each.
  readonly #finishAcked = (pending: Pending) => this.#finish(pending, false)
  readonly #finishNacked = (pending: Pending) => this.#finish(pending, true)

  #finish(pending: Pending, nacked: boolean): void {
    // Returned messages are acked too: the broker answered, so both count as latency.
    if (!nacked) this.observer?.confirmed((performance.now() - pending.sentAt) / 1000)
    const error = answerError(pending, nacked)
    if (error) {
      this.#reject(pending, error)
      return
    }
    this.#resolve(pending)
    if (this.#logEach) {
      this.options.logger.debug({
        event: 'published',
        messageId: pending.options.messageId,
        exchange: pending.exchange,
        routingKey: pending.routingKey,
        durationMs: Date.now() - pending.startedAt,
      })
    }
  }

  #onReturn(open: Open, message: Message): void {
    if (!this.#channel.isCurrent(open)) return
    const fields = message.fields as Message['fields'] & { replyText?: string }
    this.#inFlight.markReturned(message.properties.messageId, fields.replyText ?? 'NO_ROUTE')
  }

  #onChannelError(open: Open, error: Error): void {
    if (!this.#channel.isCurrent(open)) return
    // The broker's limit is lower than this client knew: learn it.
    this.#refusedAbove = refusedMaxSize(error) ?? this.#refusedAbove
    const refused = this.#inFlight.fail((pending) => refusal(error, pending))
    for (const [pending, why] of refused) this.#reject(pending, why)
  }

  /** Publishes unconfirmed when their channel went are sent again on the next one. */
  #onChannelLost(open: Open): void {
    const unconfirmed = this.#inFlight.takeAll()
    for (let i = unconfirmed.length - 1; i >= 0; i--) {
      const pending = unconfirmed[i] as Pending
      pending.returnedReply = undefined
      const refused = refusedTooOften(pending, open.error)
      if (refused) this.#reject(pending, refused)
      else this.#hold(pending, true)
    }
    this.#channel.settled()
    if (unconfirmed.length > 0) {
      this.options.logger.warn({ event: 'resending', count: unconfirmed.length })
    }
  }

  /** A new confirm channel: its delivery tags count from 1, and what waited goes out on it. */
  #setup(open: Open): void {
    const { channel } = open
    channel.on('ack', ({ deliveryTag, multiple }) => this.#settle(open, deliveryTag, multiple))
    channel.on('nack', ({ deliveryTag, multiple }) =>
      this.#settle(open, deliveryTag, multiple, true),
    )
    channel.on('return', (message: Message) => this.#onReturn(open, message))
    this.#flush()
  }
}
