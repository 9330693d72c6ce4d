import type { Channel, ConsumeMessage } from 'amqplib'
import type { Cron } from 'croner'
import type { Link } from '../connection/connection-manager.js'
import { ManagedChannel, type OpenChannel } from '../connection/managed-channel.js'
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

type Open = OpenChannel<Channel>

/**
 * Leader election through a quorum queue with a single active consumer: every instance consumes
 * the lock queue, the broker delivers its token to one of them only, and that one publishes the
 * ticks for as long as its channel lives. When it goes, the broker hands the token (and so the
 * schedule) to the next consumer.
 */
export class Schedule implements ScheduleHandle {
  readonly #channel: ManagedChannel
  /** The channel the token came on and the token itself: leading lasts as long as that channel. */
  #lead: { open: Open; token: ConsumeMessage | undefined } | undefined
  #timer: NodeJS.Timeout | undefined
  #tokenTimer: NodeJS.Timeout | undefined
  #lastTick: Date | undefined

  constructor(
    private readonly context: ScheduleContext,
    readonly name: string,
    private readonly cron: Cron,
  ) {
    this.#channel = new ManagedChannel({
      role: 'schedule',
      fields: { schedule: name },
      logger: context.logger,
      create: (link) => link.model.createChannel(),
      setup: (open) => this.#setup(open),
      // The lead goes with the channel: the broker hands the token to the next instance.
      onLost: () => {
        this.#lead = undefined
        this.#stopTicking()
      },
      reopen: { initialDelayMs: 200 },
    })
  }

  get leader(): boolean {
    return this.#lead !== undefined && this.#channel.isCurrent(this.#lead.open)
  }

  nextRun(): Date | null {
    return this.cron.nextRun()
  }

  attach(link: Link): Promise<void> {
    return this.#channel.attach(link)
  }

  /** The connection is gone, and with it the lead. */
  detach(): void {
    this.#channel.detach()
  }

  async cancel(): Promise<void> {
    if (this.#channel.closed) return
    this.#stopTicking()
    clearInterval(this.#tokenTimer)
    // Closing the channel returns the held token: the next instance leads at once.
    await this.#channel.close()
    this.context.onClosed(this)
  }

  async #setup(open: Open): Promise<void> {
    const queue = lockQueueName(this.name)
    try {
      await open.channel.assertQueue(queue, { durable: true, arguments: LOCK_QUEUE_ARGUMENTS })
    } catch (error) {
      throw toTopologyError(error) ?? error
    }
    await open.channel.prefetch(1)
    await open.channel.consume(queue, (delivery) => {
      // The lock queue was deleted: a new channel declares it again.
      if (delivery === null) this.#channel.retire(open, 'broker-cancelled')
      else this.#onToken(open, delivery)
    })
    // Not awaited: a blocked broker (memory alarm) must not hold up the connection's setup.
    void this.#addToken().catch((error: unknown) => this.#tokenFailed(error))
    this.#tokenTimer ??= setInterval(() => void this.#refresh(), TOKEN_INTERVAL_MS)
  }

  #onToken(open: Open, token: ConsumeMessage): void {
    if (!this.#channel.isCurrent(open)) return
    const leading = this.leader
    this.#lead = { open, token }
    if (leading) return
    this.#lastTick = undefined
    this.context.logger.info({ event: 'schedule-leader', schedule: this.name })
    this.#arm()
  }

  async #refresh(): Promise<void> {
    await this.#addToken().catch((error: unknown) => this.#tokenFailed(error))
    // A token held unacked past the broker's consumer timeout would close the channel; the
    // fresh one (ready behind it) is delivered to us as soon as this one is acked.
    const lead = this.#lead
    if (lead?.token && this.#channel.isCurrent(lead.open)) {
      lead.open.channel.ack(lead.token)
      lead.token = undefined
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
}
