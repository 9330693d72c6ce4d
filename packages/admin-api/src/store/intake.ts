import { createHash, randomUUID } from 'node:crypto'
import { BROKER_DELIVERY_HEADERS } from '@warren/sdk/protocol'
import type { Channel, ConsumeMessage } from 'amqplib'
import { deadLetteredTime } from '../dead-letters/head.js'
import { canonicalJson } from '../dead-letters/ids.js'
import { toMessageView } from '../dead-letters/message-view.js'
import { searchTextOf } from '../dead-letters/search-text.js'
import type { AmqpPool } from '../rabbit/amqp.js'
import { headerTableOf, typedHeadersOf } from '../rabbit/message-headers.js'
import type { Logger } from '../security/logger.js'
import { fingerprint } from './fingerprint.js'
import type { DeadLetterStore, NewDeadLetter } from './types.js'

// Custody: each dead-letter queue in the store's care is drained into the store. A message
// leaves RabbitMQ only after the store committed it: deliveries are taken unacknowledged, written
// in one transaction per batch, and acknowledged (all up to the last of the batch) once the
// commit returned. A crash between the two hands the batch back to RabbitMQ, which redelivers it
// with the redelivered flag; the store skips a redelivered copy it already holds (same digest).

export interface IntakeOptions {
  store: DeadLetterStore
  /** A pool of the intake's own: its channels live as long as the consumers. */
  pool: AmqpPool
  log: Logger
  /** The dead-letter queues in the store's care now (discovery, minus the live ones). */
  queues: () => Promise<{ vhost: string; name: string }[]>
  /**
   * Unacknowledged deliveries per queue at most: what a crash hands back (on a quorum queue,
   * each hand-back counts as a delivery).
   * @default 500
   */
  prefetch?: number
  /** How often the set of queues is checked. @default 2000 */
  reconcileMs?: number
  /** How long a batch waits to fill before it is written. @default 20 */
  lingerMs?: number
}

export interface Intake {
  start(): void
  /** Checks the queues now (and opens consumers on new ones); resolves when done. */
  reconcile(): Promise<void>
  /** Messages written since start, and the redelivered copies skipped. */
  counts(): { inserted: number; duplicates: number }
  /** Stops every consumer; unacked deliveries go back to their queues. */
  stop(): Promise<void>
}

const key = (vhost: string, queue: string) => JSON.stringify([vhost, queue])

/** Turns a delivery into the store's row: the facts parsed once, for filters and groups. */
export function toNewDeadLetter(
  vhost: string,
  queue: string,
  message: ConsumeMessage,
  now: number,
): NewDeadLetter {
  const view = toMessageView(message)
  const { headers: _headers, ...rest } = message.properties
  const properties = JSON.parse(JSON.stringify(rest)) as Record<string, unknown>
  const headerTable = headerTableOf(message.properties) ?? null
  // Not the header table's bytes: a quorum queue redelivers with x-delivery-count added (4.3
  // with x-acquired-count too), and a redelivered copy must have the digest of the one stored.
  const stable = Object.entries(typedHeadersOf(message.properties).headers).filter(
    ([name]) => !BROKER_DELIVERY_HEADERS.includes(name),
  )
  const digest = createHash('sha256')
    .update(message.content)
    .update(JSON.stringify(properties))
    .update(canonicalJson(Object.fromEntries(stable)))
    .digest('hex')
  return {
    vhost,
    queue,
    content: message.content,
    properties,
    headerTable,
    exchange: message.fields.exchange,
    routingKey: message.fields.routingKey,
    redelivered: message.fields.redelivered,
    digest,
    intakeAt: now,
    messageId: view.messageId,
    deadLetteredAt: deadLetteredTime(view),
    reason: view.reason,
    errorName: view.error?.name ?? null,
    errorMessage: view.error?.message ?? null,
    originalQueue: view.originalQueue,
    originalRoutingKey: view.routingKey,
    fingerprint: fingerprint({
      errorName: view.error?.name ?? null,
      errorMessage: view.error?.message ?? null,
      stack: view.error?.stack ?? null,
      originalQueue: view.originalQueue,
    }),
    searchText: searchTextOf(view, message.content),
  }
}

export function createIntake(options: IntakeOptions): Intake {
  const { store, pool, log } = options
  const prefetch = options.prefetch ?? 500
  const consumers = new Map<string, QueueIntake>()
  const totals = { inserted: 0, duplicates: 0 }
  let timer: NodeJS.Timeout | undefined
  let stopped = false
  let reconciling: Promise<void> | undefined

  async function reconcileOnce() {
    const wanted = await options.queues()
    const keys = new Set(wanted.map((q) => key(q.vhost, q.name)))
    for (const [k, consumer] of consumers) {
      if (!keys.has(k) || consumer.closed) {
        consumers.delete(k)
        await consumer.stop()
      }
    }
    for (const q of wanted) {
      const k = key(q.vhost, q.name)
      if (consumers.has(k) || stopped) continue
      const consumer = new QueueIntake(q.vhost, q.name, {
        store,
        pool,
        log,
        prefetch,
        lingerMs: options.lingerMs ?? 20,
        totals,
      })
      consumers.set(k, consumer)
      await consumer.start().catch((error: unknown) => {
        consumers.delete(k)
        log.warn('dead-letter intake could not start', {
          vhost: q.vhost,
          queue: q.name,
          error: String(error),
        })
      })
    }
  }

  const reconcile = () => {
    reconciling ??= reconcileOnce()
      .catch((error: unknown) => log.warn('dead-letter intake', { error: String(error) }))
      .finally(() => {
        reconciling = undefined
      })
    return reconciling
  }

  return {
    start() {
      const tick = () => {
        if (stopped) return
        void reconcile().then(() => {
          if (!stopped) timer = setTimeout(tick, options.reconcileMs ?? 2000)
        })
      }
      tick()
    },
    reconcile,
    counts: () => ({ ...totals }),
    async stop() {
      stopped = true
      clearTimeout(timer)
      await reconciling
      await Promise.all([...consumers.values()].map((consumer) => consumer.stop()))
      consumers.clear()
    },
  }
}

interface QueueIntakeDeps {
  store: DeadLetterStore
  pool: AmqpPool
  log: Logger
  prefetch: number
  lingerMs: number
  totals: { inserted: number; duplicates: number }
}

/** One queue's consumer: batches deliveries, commits them, then acks them. */
class QueueIntake {
  closed = false
  readonly #vhost: string
  readonly #queue: string
  readonly #deps: QueueIntakeDeps
  #channel: Channel | undefined
  #buffer: ConsumeMessage[] = []
  #timer: NodeJS.Timeout | undefined
  #writing: Promise<void> = Promise.resolve()
  readonly #tag = `warren-intake-${randomUUID()}`

  constructor(vhost: string, queue: string, deps: QueueIntakeDeps) {
    this.#vhost = vhost
    this.#queue = queue
    this.#deps = deps
  }

  async start(): Promise<void> {
    const channel = await this.#deps.pool.openChannel(this.#vhost)
    this.#channel = channel
    channel.on('close', () => {
      this.closed = true
      clearTimeout(this.#timer)
      // Whatever was not acked went back to the queue with the channel.
      this.#buffer = []
    })
    await channel.prefetch(this.#deps.prefetch)
    await channel.consume(this.#queue, (message) => this.#take(message), {
      noAck: false,
      consumerTag: this.#tag,
    })
  }

  #take(message: ConsumeMessage | null): void {
    if (message === null) {
      // Cancelled by the broker: the queue was deleted.
      this.closed = true
      return
    }
    this.#buffer.push(message)
    if (this.#buffer.length >= this.#deps.prefetch / 2) this.#flush()
    else this.#timer ??= setTimeout(() => this.#flush(), this.#deps.lingerMs)
  }

  #flush(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    const batch = this.#buffer
    if (batch.length === 0) return
    this.#buffer = []
    // Batches are written and acked one after the other, so an ack of all up to the last
    // delivery of a batch covers exactly that batch.
    this.#writing = this.#writing.then(() => this.#write(batch))
  }

  async #write(batch: ConsumeMessage[]): Promise<void> {
    const channel = this.#channel
    if (channel === undefined || this.closed) return
    const now = Date.now()
    const rows = batch.map((m) => toNewDeadLetter(this.#vhost, this.#queue, m, now))
    for (let attempt = 0; ; attempt += 1) {
      try {
        const result = await this.#deps.store.insert(rows)
        this.#deps.totals.inserted += result.inserted
        this.#deps.totals.duplicates += result.duplicates
        break
      } catch (error) {
        // The messages stay unacked in RabbitMQ while the store is unavailable.
        this.#deps.log.warn('dead-letter store refused a batch; retrying', {
          vhost: this.#vhost,
          queue: this.#queue,
          messages: rows.length,
          attempt,
          error: String(error),
        })
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 100 * 2 ** attempt)))
        if (this.closed) return
      }
    }
    if (!this.closed) channel.ack(batch[batch.length - 1]!, true)
  }

  async stop(): Promise<void> {
    // No more deliveries, then what was taken is written and acked before the channel closes.
    if (!this.closed) await this.#channel?.cancel(this.#tag).catch(() => {})
    this.#flush()
    await this.#writing
    this.closed = true
    await this.#channel?.close().catch(() => {})
  }
}
