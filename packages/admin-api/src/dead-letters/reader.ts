import { randomUUID } from 'node:crypto'
import type { Channel, Message } from 'amqplib'
import { ApiError } from '../errors.js'
import type { Progress } from '../operations/registry.js'
import type { AmqpPool } from '../rabbit/amqp.js'
import { MessageIds } from './ids.js'
import {
  assertDeadLetterQueue,
  planReading,
  type QueueFactsLookup,
  type ReadPlan,
} from './reading.js'
import { scanQueue } from './scan.js'

/** A message as read, with the id browse shows and operations take. */
export interface ReadMessage {
  id: string
  message: Message
}

export interface ReadResult {
  /** Messages in the queue when it was read. */
  total: number
  /** The first messages of the queue, in order. */
  messages: ReadMessage[]
  plan: ReadPlan
  /** When the messages were read (epoch ms): a re-seated queue is served from its last reading. */
  readAt: number
}

export interface QueueReaderOptions {
  pool: AmqpPool
  facts: QueueFactsLookup
  /**
   * How long the reading of a re-seated queue is reused while its count stays the same, so that
   * a console that polls does not re-seat the whole queue each time.
   * @default 30000
   */
  reseatReuseMs?: number
  /** @default Date.now */
  now?: () => number
}

/** A re-seated queue is read whole; beyond this many messages the reader refuses. */
export const MAX_RESEAT = 50_000

const noProgress: Progress = { id: 'read', setTotal: () => {}, advance: () => {} }

/**
 * Reads dead-letter queues without costing their messages anything (see reading.ts), and only
 * dead-letter queues. Keeps the latest reading of each re-seated queue.
 */
export class QueueReader {
  readonly #options: QueueReaderOptions
  readonly #reseated = new Map<string, ReadResult>()

  constructor(options: QueueReaderOptions) {
    this.#options = options
  }

  /** How `queue` may be read; 404 when it does not exist, 409 when it is no dead-letter queue. */
  async plan(vhost: string, queue: string): Promise<ReadPlan> {
    const facts = await this.#options.facts(vhost, queue)
    assertDeadLetterQueue(facts, vhost, queue)
    const version = await this.#options.pool.serverVersion(vhost)
    return planReading(facts!, version, queue)
  }

  /** The first `want` messages of a dead-letter queue, left as they were. */
  async read(vhost: string, queue: string, want: number): Promise<ReadResult> {
    const plan = await this.plan(vhost, queue)
    const { pool } = this.#options
    const { messageCount } = await pool.checkQueue(vhost, queue)
    const now = this.#options.now ?? Date.now
    if (plan.mode === 'reseat') return this.#reseat(vhost, queue, messageCount, plan, now)
    const count = Math.min(messageCount, want)
    const messages =
      count === 0 ? [] : await pool.withChannel(vhost, (ch) => peek(ch, queue, count, plan))
    if (messages.length > 0) await pool.settle(vhost, queue, messageCount)
    const ids = new MessageIds()
    return {
      total: messageCount,
      messages: messages.map((message) => ({ id: ids.next(message), message })),
      plan,
      readAt: now(),
    }
  }

  /** Forgets the reading of a queue that an operation has just changed. */
  forget(vhost: string, queue: string): void {
    this.#reseated.delete(key(vhost, queue))
  }

  async #reseat(
    vhost: string,
    queue: string,
    messageCount: number,
    plan: ReadPlan,
    now: () => number,
  ): Promise<ReadResult> {
    const last = this.#reseated.get(key(vhost, queue))
    const reuseMs = this.#options.reseatReuseMs ?? 30_000
    if (last && last.total === messageCount && now() - last.readAt < reuseMs) return last
    if (messageCount > MAX_RESEAT) {
      throw new ApiError(
        409,
        'too-many-to-reseat',
        'Too many messages to read safely',
        `'${queue}' has a delivery limit of ${plan.deliveryLimit} on a broker that counts every ` +
          `return, so Warren reads it by re-seating the whole queue, at most ${MAX_RESEAT} ` +
          `messages; it holds ${messageCount}.`,
      )
    }
    const messages: ReadMessage[] = []
    const outcome = await this.#options.pool.withConfirmChannel(vhost, (channel) =>
      scanQueue(channel, {
        queue,
        count: messageCount,
        progress: noProgress,
        leftAlone: 'reseat',
        decide: (message, id) => {
          messages.push({ id, message })
          return null
        },
      }),
    )
    if (outcome.failed.length > 0) {
      const first = outcome.failed[0]!
      throw new ApiError(
        502,
        'reseat-failed',
        'A message could not be re-seated',
        `${outcome.failed.length} message(s) of '${queue}' stayed unread where they were: ${first.reason}`,
      )
    }
    const result: ReadResult = { total: messageCount, messages, plan, readAt: now() }
    this.#reseated.set(key(vhost, queue), result)
    return result
  }
}

const key = (vhost: string, queue: string) => JSON.stringify([vhost, queue])

/**
 * The first `count` messages, handed back as the plan says: with a requeueing nack once the
 * consumer is cancelled, or by the caller's channel close.
 */
function peek(channel: Channel, queue: string, count: number, plan: ReadPlan, idleMs = 1000) {
  return new Promise<Message[]>((resolve, reject) => {
    const messages: Message[] = []
    let timer: NodeJS.Timeout | undefined
    // Our own tag, so that the consumer can be cancelled before its consume-ok is seen.
    const consumerTag = `warren-browse-${randomUUID()}`
    let finished = false
    const done = () => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      if (plan.handBack === 'close') return resolve(messages)
      channel.cancel(consumerTag).then(() => {
        channel.nackAll(true)
        resolve(messages)
      }, reject)
    }
    // Fewer messages than counted (someone consumed them): stop waiting after a quiet spell.
    const arm = () => {
      clearTimeout(timer)
      if (!finished) timer = setTimeout(done, idleMs)
    }
    channel
      .prefetch(count)
      .then(() =>
        channel.consume(
          queue,
          (message) => {
            if (message === null) return done()
            if (messages.length < count) messages.push(message)
            if (messages.length === count) done()
            else arm()
          },
          { noAck: false, consumerTag },
        ),
      )
      .then(arm, reject)
  })
}
