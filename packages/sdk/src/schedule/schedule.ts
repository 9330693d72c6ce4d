import type { Channel, ConsumeMessage } from 'amqplib'
import type { Cron } from 'croner'
import type { Link } from '../connection/connection-manager.js'
import { errorFields } from '../logging/logger.js'
import { uuidv7 } from '../publish/uuid.js'
import type { Runtime } from '../runtime.js'
import { toTopologyError } from '../topology/declare.js'
import { LOCK_QUEUE_ARGUMENTS, lockQueueName } from './lock.js'

/** A new token this often; the leader then lets go of the one it holds (consumer timeouts). */
const TOKEN_INTERVAL_MS = 60_000
// setTimeout's ceiling: a tick further away is reached in steps.
const MAX_TIMER_MS = 2 ** 31 - 1

/** The shared runtime's part a schedule uses, and its own hooks. */
export interface ScheduleContext extends Pick<Runtime, 'publisher' | 'logger' | 'link'> {
  /** Publishes the message of one tick. */
  tick: (at: Date) => Promise<void>
  onClosed: (schedule: Schedule) => void
}

/** A running schedule. */
export interface ScheduleHandle {
  readonly name: string
  /** Whether this instance is the one publishing the ticks now. */
  readonly leader: boolean
  /** The next tick, null when the expression has none left. */
  nextRun(): Date | null
  /** Stops ticking here; another instance takes over. */
  cancel(): Promise<void>
}

interface State {
  channel: Channel
  link: Link
  open: boolean
  leader: boolean
  held: ConsumeMessage | undefined
}

/**
 * Leader election through a quorum queue with a single active consumer: every instance consumes
 * the lock queue, the broker delivers its token to one of them only, and that one publishes the
 * ticks for as long as its channel lives. When it goes, the broker hands the token (and so the
 * schedule) to the next consumer.
 */
export class Schedule implements ScheduleHandle {
  #state: State | undefined
  #attachedTo: Link | undefined
  #timer: NodeJS.Timeout | undefined
  #tokenTimer: NodeJS.Timeout | undefined
  #lastTick: Date | undefined
  #cancelled = false

  constructor(
    private readonly context: ScheduleContext,
    readonly name: string,
    private readonly cron: Cron,
  ) {}

  get leader(): boolean {
    return this.#state?.leader ?? false
  }

  nextRun(): Date | null {
    return this.cron.nextRun()
  }

  async attach(link: Link): Promise<void> {
    if (this.#cancelled || this.#attachedTo === link) return
    this.#attachedTo = link
    const queue = lockQueueName(this.name)
    try {
      const channel = await link.model.createChannel()
      const state: State = { channel, link, open: true, leader: false, held: undefined }
      channel.on('error', (error: Error) =>
        this.context.logger.warn({ event: 'channel-error', queue, error: errorFields(error) }),
      )
      channel.on('close', () => this.#onClose(state))
      try {
        await channel.assertQueue(queue, { durable: true, arguments: LOCK_QUEUE_ARGUMENTS })
      } catch (error) {
        throw toTopologyError(error) ?? error
      }
      await channel.prefetch(1)
      this.#state = state
      await channel.consume(queue, (delivery) => {
        // The lock queue was deleted: a new channel declares it again.
        if (delivery === null) void channel.close().catch(() => {})
        else this.#onToken(state, delivery)
      })
      // Not awaited: a blocked broker (memory alarm) must not hold up the connection's setup.
      void this.#addToken().catch((error: unknown) => this.#tokenFailed(error))
      this.#tokenTimer ??= setInterval(() => void this.#refresh(), TOKEN_INTERVAL_MS)
    } catch (error) {
      if (this.#attachedTo === link) this.#attachedTo = undefined
      throw error
    }
  }

  /** The connection is gone, and with it the lead. */
  detach(): void {
    if (this.#state) this.#state.open = false
    this.#state = undefined
    this.#attachedTo = undefined
    this.#stopTicking()
  }

  async cancel(): Promise<void> {
    if (this.#cancelled) return
    this.#cancelled = true
    this.#stopTicking()
    clearInterval(this.#tokenTimer)
    const state = this.#state
    this.#state = undefined
    // Closing the channel returns the held token: the next instance leads at once.
    if (state?.open) {
      state.open = false
      await state.channel.close().catch(() => {})
    }
    this.context.onClosed(this)
  }

  #onToken(state: State, delivery: ConsumeMessage): void {
    if (!state.open || state !== this.#state) return
    state.held = delivery
    if (state.leader) return
    state.leader = true
    this.#lastTick = undefined
    this.context.logger.info({ event: 'schedule-leader', schedule: this.name })
    this.#arm()
  }

  async #refresh(): Promise<void> {
    await this.#addToken().catch((error: unknown) => this.#tokenFailed(error))
    // A token held unacked past the broker's consumer timeout would close the channel; the
    // fresh one (ready behind it) is delivered to us as soon as this one is acked.
    const state = this.#state
    if (state?.open && state.held) {
      const held = state.held
      state.held = undefined
      state.channel.ack(held)
    }
  }

  #tokenFailed(error: unknown): void {
    this.context.logger.warn({
      event: 'schedule-token-failed',
      schedule: this.name,
      error: errorFields(error),
    })
  }

  #addToken(): Promise<void> {
    return this.context.publisher.publish('', lockQueueName(this.name), Buffer.from('token'), {
      messageId: uuidv7(),
      persistent: true,
      mandatory: true,
    })
  }

  #arm(): void {
    const next = this.cron.nextRun(this.#lastTick ?? new Date())
    if (!next) return
    const wait = next.getTime() - Date.now()
    this.#timer = setTimeout(
      () => {
        if (!this.leader) return
        if (Date.now() < next.getTime()) {
          this.#arm()
          return
        }
        this.#lastTick = next
        this.context.tick(next).catch((error: unknown) =>
          this.context.logger.error({
            event: 'schedule-publish-failed',
            schedule: this.name,
            tick: next.toISOString(),
            error: errorFields(error),
          }),
        )
        this.#arm()
      },
      Math.max(0, Math.min(wait, MAX_TIMER_MS)),
    )
  }

  #stopTicking(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #onClose(state: State): void {
    const wasCurrent = state.open && state === this.#state
    state.open = false
    if (!wasCurrent || this.#cancelled) return
    this.#state = undefined
    this.#attachedTo = undefined
    this.#stopTicking()
    // A channel error on a live connection: no reconnect will reopen it, so do it here.
    const link = state.link
    setTimeout(() => {
      if (this.#cancelled || this.#state || this.context.link() !== link) return
      this.attach(link).catch((error: unknown) =>
        this.context.logger.error({
          event: 'schedule-reopen-failed',
          schedule: this.name,
          error: errorFields(error),
        }),
      )
    }, 200)
  }
}
