import type { Channel } from 'amqplib'
import { ClosedError } from '../errors.js'
import { errorFields, type Logger } from '../logging/logger.js'
import { backoffDelay } from './backoff.js'
import type { Link } from './connection-manager.js'

const MAX_REOPEN_DELAY_MS = 30_000

/**
 * One channel a managed channel opened: one generation. What came or went on it (a delivery, a
 * publish awaiting its confirm) keeps this object, and `isCurrent` tells whether it still
 * stands: an ack on a newer channel would name someone else's delivery tag.
 */
export interface OpenChannel<C extends Channel> {
  readonly channel: C
  readonly link: Link
  /** The error the broker closed it with, once it did. */
  error: Error | undefined
}

export interface ManagedChannelOptions<C extends Channel> {
  /** Names the part's log events: `<role>-recovering`, `<role>-resume-failed`, `<role>-resumed`. */
  role: string
  /** Fields that name the part in every log event (its queue, its schedule). */
  fields: Readonly<Record<string, unknown>>
  logger: Logger
  /** Opens the kind of channel the part needs (plain or confirm). */
  create: (link: Link) => Promise<C>
  /**
   * The part's own step on every new channel (prefetch, consume, declare...); `reopened` when it
   * replaces one lost on a live connection. A throw closes the channel again.
   */
  setup: (open: OpenChannel<C>, reopened: boolean) => Promise<void> | void
  /** The current channel is gone (closed, retired, its connection lost), with what it carried. */
  onLost?: (open: OpenChannel<C>) => void
  /** A channel error; without this it is logged as `channel-error`. */
  onError?: (open: OpenChannel<C>, error: Error) => void
  /** Reopening after the broker closed the channel; without it, the next `acquire` opens one. */
  reopen?: Reopen
  /** Whether the part still has work in flight, for `idle()`. */
  busy?: () => boolean
}

/** How a part's channel comes back after the broker closed it on a live connection. */
export interface Reopen {
  /** The first wait; it doubles on each attempt up to 30 s. */
  initialDelayMs: number
  /** @default 0 */
  jitter?: number
  /**
   * A channel that stayed up this long before it went counts its attempts from 1 again; one
   * that went sooner counts on, so a queue that keeps vanishing costs a few attempts a minute.
   * @default 0: every loss starts again from `initialDelayMs`
   */
  stableMs?: number
}

/**
 * The lifecycle every part that holds a channel shares: open it with the part's setup, tell the
 * current channel from stale ones, reopen it with backoff when the broker closes it on a live
 * connection, and wait for the part's work in flight before closing. A lost connection is the
 * connection manager's: `detach()` lets go, the next `attach()` opens on the new one.
 */
export class ManagedChannel<C extends Channel = Channel> {
  #current: OpenChannel<C> | undefined
  #opening: { link: Link; promise: Promise<OpenChannel<C>> } | undefined
  /** The connection `attach` put this channel on; reopening stops when it goes. */
  #link: Link | undefined
  #closed = false
  /** The connection a reopen is under way on. */
  #reopeningOn: Link | undefined
  /** Reopen attempts since the channel last stayed up for `stableMs`. */
  #failures = 0
  #openedAt = 0
  #idleWaiters: (() => void)[] = []

  constructor(private readonly options: ManagedChannelOptions<C>) {}

  /** The channel work goes on now; undefined while there is none. */
  get current(): OpenChannel<C> | undefined {
    return this.#current
  }

  get closed(): boolean {
    return this.#closed
  }

  isCurrent(open: OpenChannel<C>): boolean {
    return open === this.#current
  }

  /** Opens the channel on a (new) connection and keeps it open there until `detach` or `close`. */
  async attach(link: Link): Promise<void> {
    // The connection's setup and a part's own call can both get here for one connection: a
    // second channel would work unseen (a consumer's would hold its deliveries unacked forever).
    if (this.#closed || this.#link === link) return
    this.#link = link
    try {
      await this.#acquire(link, false)
    } catch (error) {
      // Refused by a broker that closed the channel (a consume of a queue being deleted): the
      // reopen that close started carries on. Otherwise a later attach may try again.
      if (this.#link === link && this.#reopeningOn !== link) this.#link = undefined
      if (!this.#closed) throw error
    }
  }

  /** The open channel on `link`, opened when there is none (once, however many ask at a time). */
  acquire(link: Link): Promise<OpenChannel<C>> {
    return this.#acquire(link, false)
  }

  /** The connection is gone and its channel with it; the next `attach` opens one on the new one. */
  detach(): void {
    this.#link = undefined
    if (this.#current) this.#lose(this.#current)
  }

  /** Lets go of `open` (the broker cancelled its consumer, say) and reopens with backoff. */
  retire(open: OpenChannel<C>, reason: string): void {
    if (!this.#lose(open)) return
    open.channel.close().catch(() => {})
    this.#reopen(open.link, reason)
  }

  /**
   * No reopening from now on. `stopIntake` ends new work on the open channel (cancels a
   * consume); then the part's work in flight may finish, for up to `idleTimeoutMs`, on that
   * channel, which closes last.
   */
  async close(
    idleTimeoutMs = 0,
    stopIntake?: (open: OpenChannel<C> | undefined) => Promise<void> | void,
  ): Promise<void> {
    this.#closed = true
    this.#link = undefined
    await stopIntake?.(this.#current)
    await this.idle(idleTimeoutMs)
    const open = this.#current
    this.#current = undefined
    if (open) await open.channel.close().catch(() => {})
  }

  /** Resolves once the part has nothing in flight (`busy()` is false) or after `timeoutMs`. */
  idle(timeoutMs: number): Promise<void> {
    if (!this.options.busy?.()) return Promise.resolve()
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs)
      this.#idleWaiters.push(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  /** Some of the part's work ended: wakes `idle()` once nothing is left in flight. */
  settled(): void {
    if (this.#idleWaiters.length === 0 || this.options.busy?.()) return
    for (const wake of this.#idleWaiters.splice(0)) wake()
  }

  #acquire(link: Link, reopened: boolean): Promise<OpenChannel<C>> {
    if (this.#current?.link === link) return Promise.resolve(this.#current)
    if (this.#opening?.link !== link) {
      const opening = {
        link,
        promise: this.#open(link, reopened).finally(() => {
          if (this.#opening === opening) this.#opening = undefined
        }),
      }
      this.#opening = opening
    }
    return this.#opening.promise
  }

  async #open(link: Link, reopened: boolean): Promise<OpenChannel<C>> {
    const channel = await this.options.create(link)
    const open: OpenChannel<C> = { channel, link, error: undefined }
    channel.on('error', (error: Error) => {
      open.error = error
      if (this.options.onError) this.options.onError(open, error)
      else this.#log('warn', 'channel-error', { error: errorFields(error) })
    })
    channel.on('close', () => this.#onClose(open))
    if (this.#closed) {
      await channel.close().catch(() => {})
      throw new ClosedError()
    }
    // Still current on an earlier connection whose loss was never announced: it goes now.
    const earlier = this.#current
    if (earlier && this.#lose(earlier)) earlier.channel.close().catch(() => {})
    this.#current = open
    try {
      await this.options.setup(open, reopened)
    } catch (error) {
      // A channel left open without its setup would only hold a slot until the connection goes.
      this.#lose(open)
      await channel.close().catch(() => {})
      throw error
    }
    this.#openedAt = Date.now()
    return open
  }

  /** `open` stops being current: the part lets go of what it carried. Undefined when it was not. */
  #lose(open: OpenChannel<C>): OpenChannel<C> | undefined {
    if (this.#current !== open) return undefined
    this.#current = undefined
    this.options.onLost?.(open)
    return open
  }

  #onClose(open: OpenChannel<C>): void {
    // Retired, detached or replaced already: whoever let go of it decided what comes next.
    if (!this.#lose(open)) return
    this.#reopen(open.link, 'channel-closed')
  }

  #reopen(link: Link, reason: string): void {
    const { reopen } = this.options
    if (!reopen || this.#reopeningOn === link) return
    this.#reopeningOn = link
    if (Date.now() - this.#openedAt >= (reopen.stableMs ?? 0)) this.#failures = 0
    void this.#reopenLoop(link, reason, reopen).finally(() => {
      if (this.#reopeningOn === link) this.#reopeningOn = undefined
    })
  }

  /**
   * Closed by the broker on a live connection (a consume refused while its queue is deleted, an
   * ack it no longer knows): reopen here, since no reconnect will, backing off between attempts.
   */
  async #reopenLoop(link: Link, reason: string, reopen: Reopen): Promise<void> {
    // A closing connection closes its channels first, in the same turn: let its own close land
    // (the link marked closed, the part detached) before taking this for a channel's loss.
    await Promise.resolve()
    const backoff = {
      initialDelayMs: reopen.initialDelayMs,
      maxDelayMs: MAX_REOPEN_DELAY_MS,
      factor: 2,
      jitter: reopen.jitter ?? 0,
    }
    while (this.#live(link)) {
      const attempt = ++this.#failures
      const delayMs = backoffDelay(attempt, backoff)
      this.#log('warn', `${this.options.role}-recovering`, { reason, attempt, delayMs })
      await new Promise((resolve) => setTimeout(resolve, delayMs))
      if (!this.#live(link)) return
      try {
        await this.#acquire(link, true)
      } catch (error) {
        const fields = { attempt, error: errorFields(error) }
        this.#log('error', `${this.options.role}-resume-failed`, fields)
        continue
      }
      this.#log('info', `${this.options.role}-resumed`, { attempt })
      return
    }
  }

  #live(link: Link): boolean {
    return !this.#closed && this.#link === link && !link.closed
  }

  #log(level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown>): void {
    this.options.logger[level]({ event, ...this.options.fields, ...fields })
  }
}
