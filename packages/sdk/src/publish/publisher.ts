// Over 300 lines: one confirm channel's whole lifecycle (send, confirm, return, hold, resend,
// refuse) shares its in-flight map; split, each part would reach into the others' state.
import { IllegalOperationError, type ConfirmChannel, type Message, type Options } from 'amqplib'
import type { Link } from '../connection/connection-manager.js'
import {
  BufferFullError,
  ClosedError,
  MessageTooLargeError,
  TimeoutError,
  UnroutableError,
  WarrenError,
} from '../errors.js'
import { errorFields, silentLogger } from '../logging/logger.js'
import type { PublishObserver } from '../metrics/observers.js'
import type { ResolvedConnectOptions } from '../options.js'
import { defaultMaxMessageSize, refusedMaxSize } from './max-size.js'

/** One publish from the call until its confirm; sent again after a reconnect until confirmed. */
interface Pending {
  exchange: string
  routingKey: string
  content: Buffer
  options: Options.Publish & { messageId: string }
  startedAt: number
  /** `performance.now()` when handed to the channel, for the confirm latency. */
  sentAt: number
  deadline: number
  resolve: () => void
  reject: (error: Error) => void
  returnedReply: string | undefined
  timer: NodeJS.Timeout | undefined
  /** Channel closes by the broker while this was in flight. */
  channelErrors: number
}

// The broker's NOT_FOUND reply is the only place that names a missing exchange.
const NO_EXCHANGE = /no exchange '([^']+)'/
const SWEEP_INTERVAL_MS = 250
const MAX_CHANNEL_ERRORS = 3

/**
 * Publishes on one confirm channel. Confirms are matched by delivery tag (a sequence map), so
 * any number of publishes are in flight at once. While there is no channel or the broker is
 * blocked, publishes wait in a bounded buffer; those unconfirmed when a channel closes go back
 * to the front of it and are sent again: duplicates possible, loss not.
 */
export class Publisher {
  #channel: ConfirmChannel | undefined
  #link: Link | undefined
  #inFlight = new Map<number, Pending>()
  #seq = 0
  #held: Pending[] = []
  #blocked = false
  #closed = false
  #drainWaiters: (() => void)[] = []
  #sweepTimer: NodeJS.Timeout | undefined
  #opening: Link | undefined
  /** The error that closed the current channel, when the broker closed it (not the connection). */
  #channelError: Error | undefined
  /** The limit the broker named when it refused a message: truer than any default. */
  #refusedAbove: number | undefined
  readonly #logEach: boolean
  /** Metrics, when enabled: told each publish's outcome. */
  observer: PublishObserver | undefined

  constructor(private readonly options: ResolvedConnectOptions) {
    this.#logEach = options.logger !== silentLogger
  }

  /** Opens the confirm channel on a new connection and sends what waited. */
  async attach(link: Link): Promise<void> {
    if (this.#opening === link) return
    this.#link = link
    this.#opening = link
    let channel: ConfirmChannel
    try {
      channel = await link.model.createConfirmChannel()
    } finally {
      this.#opening = undefined
    }
    if (this.#closed) {
      await channel.close().catch(() => {})
      return
    }
    channel.on('ack', ({ deliveryTag, multiple }) => this.#settle(channel, deliveryTag, multiple))
    channel.on('nack', ({ deliveryTag, multiple }) =>
      this.#settle(channel, deliveryTag, multiple, true),
    )
    channel.on('return', (message: Message) => this.#onReturn(channel, message))
    channel.on('error', (error: Error) => this.#onChannelError(channel, error))
    channel.on('close', () => this.#onChannelClose(channel, link))
    this.#channel = channel
    this.#seq = 0
    this.#flush()
  }

  /** The connection is gone: its channel will not come back, attach() opens the next one. */
  detach(): void {
    this.#link = undefined
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
    if (this.#closed) return Promise.reject(new ClosedError())
    return new Promise<void>((resolve, reject) => {
      const now = Date.now()
      const pending: Pending = {
        exchange,
        routingKey,
        content,
        options,
        startedAt: now,
        sentAt: 0,
        deadline: now + timeoutMs,
        resolve,
        reject,
        returnedReply: undefined,
        timer: undefined,
        channelErrors: 0,
      }
      if (this.#ready() && this.#held.length === 0) {
        if (this.#send(this.#channel as ConfirmChannel, pending)) return
      }
      const { bufferSize, overflow } = this.options.publish
      if (this.#held.length >= bufferSize && overflow === 'reject') {
        this.#reject(pending, new BufferFullError(bufferSize))
        return
      }
      this.#hold(pending, false)
    })
  }

  /** Resolves when nothing is held or in flight (or `timeoutMs` passed). */
  async drain(timeoutMs: number): Promise<void> {
    if (this.#held.length === 0 && this.#inFlight.size === 0) return
    let timer: NodeJS.Timeout | undefined
    await new Promise<void>((resolve) => {
      this.#drainWaiters.push(resolve)
      timer = setTimeout(resolve, timeoutMs)
    })
    clearTimeout(timer)
  }

  /** Rejects everything still waiting with ClosedError and closes the channel. */
  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#sweepTimer)
    this.#sweepTimer = undefined
    const error = new ClosedError('broker closed before the publish was confirmed')
    for (const pending of [...this.#held, ...this.#inFlight.values()]) {
      clearTimeout(pending.timer)
      this.#reject(pending, error)
    }
    this.#held = []
    this.#inFlight.clear()
    const channel = this.#channel
    this.#channel = undefined
    if (channel) await channel.close().catch(() => {})
  }

  /** Publishes waiting for a channel (disconnected or blocked). */
  get buffered(): number {
    return this.#held.length
  }

  #ready(): boolean {
    return this.#channel !== undefined && !this.#blocked
  }

  /** The broker's maximum body size, as far as this client can know it. */
  #maxMessageSize(): number {
    return (
      this.#refusedAbove ??
      this.options.maxMessageSize ??
      defaultMaxMessageSize(this.#link?.serverVersion ?? '')
    )
  }

  /** False when the channel is closing: the caller holds the publish for the next channel. */
  #send(channel: ConfirmChannel, pending: Pending): boolean {
    // Sent anyway, the broker would close the channel, and every publish in flight with it.
    const limit = this.#maxMessageSize()
    if (pending.content.length > limit) {
      const { messageId } = pending.options
      this.#reject(
        pending,
        new MessageTooLargeError({ messageId, size: pending.content.length, limit }),
      )
      return true
    }
    try {
      channel.publish(pending.exchange, pending.routingKey, pending.content, pending.options)
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
    pending.sentAt = performance.now()
    this.#inFlight.set(++this.#seq, pending)
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
    for (const [seq, pending] of this.#inFlight) {
      if (pending.deadline > now) continue
      this.#inFlight.delete(seq)
      this.#reject(pending, new TimeoutError(this.#timeoutMessage(pending)))
    }
    this.#checkDrained()
  }

  #hold(pending: Pending, front: boolean): void {
    const remaining = pending.deadline - Date.now()
    if (remaining <= 0) {
      this.#reject(pending, new TimeoutError(this.#timeoutMessage(pending)))
      return
    }
    pending.timer = setTimeout(() => this.#expire(pending), remaining)
    if (front) this.#held.unshift(pending)
    else this.#held.push(pending)
  }

  #expire(pending: Pending): void {
    const index = this.#held.indexOf(pending)
    if (index === -1) return
    this.#held.splice(index, 1)
    this.#reject(pending, new TimeoutError(this.#timeoutMessage(pending)))
    this.#checkDrained()
  }

  #timeoutMessage(pending: Pending): string {
    const why = this.#blocked
      ? 'the broker is blocked'
      : this.#channel
        ? 'no confirm from the broker'
        : 'the broker is unreachable'
    return `publish of ${pending.options.messageId} not confirmed in time: ${why}`
  }

  #flush(): void {
    if (!this.#ready() || this.#held.length === 0) return
    const channel = this.#channel as ConfirmChannel
    const held = this.#held
    this.#held = []
    for (let i = 0; i < held.length; i++) {
      const pending = held[i] as Pending
      clearTimeout(pending.timer)
      pending.timer = undefined
      if (!this.#send(channel, pending)) {
        for (const rest of held.slice(i)) this.#hold(rest, false)
        return
      }
    }
  }

  #settle(channel: ConfirmChannel, tag: number, multiple: boolean, nacked = false): void {
    if (channel !== this.#channel) return
    if (multiple) {
      for (const [seq, pending] of this.#inFlight) {
        if (seq > tag) break
        this.#inFlight.delete(seq)
        this.#finish(pending, nacked)
      }
    } else {
      const pending = this.#inFlight.get(tag)
      if (pending) {
        this.#inFlight.delete(tag)
        this.#finish(pending, nacked)
      }
    }
    this.#checkDrained()
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

  #finish(pending: Pending, nacked: boolean): void {
    // Returned messages are acked too: the broker answered, so both count as latency.
    if (!nacked) this.observer?.confirmed((performance.now() - pending.sentAt) / 1000)
    if (nacked) {
      this.#reject(
        pending,
        new WarrenError(
          'PUBLISH_NACKED',
          `broker refused message ${pending.options.messageId} (queue full or internal error)`,
        ),
      )
    } else if (pending.returnedReply !== undefined) {
      this.#reject(
        pending,
        new UnroutableError({
          exchange: pending.exchange,
          routingKey: pending.routingKey,
          messageId: pending.options.messageId,
          reply: pending.returnedReply,
        }),
      )
    } else {
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
  }

  // basic.return precedes the basic.ack of the same publish, so mark it now, reject on the ack.
  #onReturn(channel: ConfirmChannel, message: Message): void {
    if (channel !== this.#channel) return
    const messageId: unknown = message.properties.messageId
    const fields = message.fields as Message['fields'] & { replyText?: string }
    for (const pending of this.#inFlight.values()) {
      if (pending.options.messageId === messageId && pending.returnedReply === undefined) {
        pending.returnedReply = fields.replyText ?? 'NO_ROUTE'
        return
      }
    }
  }

  #onChannelError(channel: ConfirmChannel, error: Error): void {
    if (channel !== this.#channel) return
    this.#channelError = error
    // The broker's limit is lower than this client knew: learn it, refuse what is over it, and
    // send the rest again on the next channel.
    const limit = refusedMaxSize(error)
    if (limit !== undefined) {
      this.#refusedAbove = limit
      for (const [seq, pending] of this.#inFlight) {
        if (pending.content.length <= limit) continue
        this.#inFlight.delete(seq)
        const { messageId } = pending.options
        const size = pending.content.length
        this.#reject(
          pending,
          new MessageTooLargeError({ messageId, size, limit }, { cause: error }),
        )
      }
      return
    }
    // Publishing to a missing exchange closes the channel; sending those again would loop.
    const missing = NO_EXCHANGE.exec(error.message)?.[1]
    if (missing === undefined) return
    for (const [seq, pending] of this.#inFlight) {
      if (pending.exchange !== missing) continue
      this.#inFlight.delete(seq)
      this.#reject(
        pending,
        new WarrenError('EXCHANGE_NOT_FOUND', `exchange '${missing}' does not exist`, {
          cause: error,
        }),
      )
    }
  }

  #onChannelClose(channel: ConfirmChannel, link: Link): void {
    if (channel !== this.#channel) return
    this.#channel = undefined
    const unconfirmed = [...this.#inFlight.values()]
    this.#inFlight.clear()
    if (this.#closed) return
    const channelError = this.#channelError
    this.#channelError = undefined
    for (let i = unconfirmed.length - 1; i >= 0; i--) {
      const pending = unconfirmed[i] as Pending
      pending.returnedReply = undefined
      // A publish in flight each time the broker closed the channel is likely what it refuses
      // (too large, bad header): give up on it rather than close channel after channel.
      if (channelError && ++pending.channelErrors >= MAX_CHANNEL_ERRORS) {
        this.#reject(
          pending,
          new WarrenError('PUBLISH_FAILED', `broker refused the publish: ${channelError.message}`, {
            cause: channelError,
          }),
        )
        continue
      }
      this.#hold(pending, true)
    }
    this.#checkDrained()
    if (unconfirmed.length > 0) {
      this.options.logger.warn({ event: 'resending', count: unconfirmed.length })
    }
    // A channel-level error on a live connection: reopen the channel here, since no reconnect
    // will. A lost connection reopens it in attach().
    if (this.#link === link) {
      setTimeout(() => {
        if (this.#closed || this.#channel || this.#link !== link) return
        this.attach(link).catch((error: unknown) =>
          this.options.logger.warn({ event: 'channel-reopen-failed', error: errorFields(error) }),
        )
      }, 50)
    }
  }

  #checkDrained(): void {
    if (this.#drainWaiters.length === 0) return
    if (this.#held.length > 0 || this.#inFlight.size > 0) return
    const waiters = this.#drainWaiters
    this.#drainWaiters = []
    for (const resolve of waiters) resolve()
  }
}
