import { existsSync } from 'node:fs'
import { DEAD_LETTER_REASONS, HEADERS } from '@warren/sdk'
import type { Channel, ConfirmChannel } from 'amqplib'
import Database from 'better-sqlite3'
import { sleep } from '@warren/test-kit'

/**
 * Publishes `count` dead letters to `queue` as the SDK writes them after a consumer of `original`
 * gave up: the error, the original queue and routing key, the attempts; messageIds
 * `<prefix>-<i>`. Resolves once the broker confirmed every one.
 */
export async function publishDeadLetters(
  channel: ConfirmChannel,
  queue: string,
  { count, original, prefix }: { count: number; original: string; prefix: string },
): Promise<void> {
  const failedAt = new Date().toISOString()
  for (let i = 0; i < count; i++) {
    channel.sendToQueue(queue, Buffer.from(JSON.stringify({ orderId: i, amount: (i % 90) + 10 })), {
      messageId: `${prefix}-${i}`,
      contentType: 'application/json',
      persistent: true,
      headers: {
        [HEADERS.attempt]: 3,
        [HEADERS.originalQueue]: original,
        [HEADERS.originalExchange]: '',
        [HEADERS.originalRoutingKey]: original,
        // A few failure groups, with the ids in the messages that the fingerprint normalises.
        [HEADERS.errorName]: ['PaymentDeclinedError', 'TimeoutError', 'ValidationError'][i % 3],
        [HEADERS.errorMessage]: `order ${i} failed after 3 attempts (card ending ${1000 + (i % 9000)})`,
        [HEADERS.errorStack]: `Error: order ${i} failed\n    at charge (payments.js:42:11)`,
        [HEADERS.firstFailedAt]: failedAt,
        [HEADERS.lastFailedAt]: failedAt,
        [HEADERS.consumer]: 'orders-service@faults:1',
        [HEADERS.deadLetterReason]: DEAD_LETTER_REASONS[0],
      },
    })
    // Bounded: 20,000 unconfirmed publishes would sit in memory and in the socket at once.
    if (i % 2000 === 1999) await channel.waitForConfirms()
  }
  await channel.waitForConfirms()
}

/**
 * Takes everything `queue` holds (no acks: taking is removing) and counts the copies of each
 * messageId. Resolves once the queue is empty and nothing arrived for a moment.
 */
export async function drainQueue(channel: Channel, queue: string): Promise<Map<string, number>> {
  const seen = new Map<string, number>()
  let lastAt = Date.now()
  const { consumerTag } = await channel.consume(
    queue,
    (message) => {
      if (!message) return
      const id = String(message.properties.messageId)
      seen.set(id, (seen.get(id) ?? 0) + 1)
      lastAt = Date.now()
    },
    { noAck: true },
  )
  for (;;) {
    await sleep(200)
    const { messageCount } = await channel.checkQueue(queue)
    if (messageCount === 0 && Date.now() - lastAt > 500) break
  }
  await channel.cancel(consumerTag)
  return seen
}

/** One stored row, as the test reads it from the store's file. */
export interface StoredRow {
  messageId: string
  state: string
}

export interface BulkProgress {
  id: string
  status: string
  done: number
  failed: number
}

/**
 * The admin API's SQLite store read directly (read-only, beside the admin API writing it): what
 * the store holds, whatever the admin API in front of it says or whether it is running.
 */
export interface StoreFile {
  /** Rows of a dead-letter queue, in `state` when given; 0 while the file is not made yet. */
  count(vhost: string, queue: string, state?: string): number
  rows(vhost: string, queue: string): StoredRow[]
  /** A bulk operation's progress as committed. */
  bulk(id: string): BulkProgress | undefined
  /** The queue's latest bulk operation (a purge's, whose id the caller never got). */
  latestBulk(vhost: string, queue: string): BulkProgress | undefined
  close(): void
}

export function openStoreFile(path: string): StoreFile {
  let db: Database.Database | undefined
  // The admin API makes the file and its tables at start: until then, nothing is stored.
  const open = () => {
    if (db === undefined && existsSync(path)) {
      const candidate = new Database(path, { readonly: true, fileMustExist: true })
      const tables = candidate
        .prepare(`SELECT count(*) AS n FROM sqlite_master WHERE name IN ('dead_letters', 'bulks')`)
        .get() as { n: number }
      if (tables.n === 2) db = candidate
      else candidate.close()
    }
    return db
  }
  const ofQueue = `FROM dead_letters d JOIN queues q ON q.id = d.queue_id WHERE q.vhost = ? AND q.name = ?`
  const progress = 'id, status, done, failed'
  return {
    count(vhost, queue, state) {
      const sql = `SELECT count(*) AS n ${ofQueue}${state === undefined ? '' : ' AND d.state = ?'}`
      const args = state === undefined ? [vhost, queue] : [vhost, queue, state]
      return (
        (
          open()
            ?.prepare(sql)
            .get(...args) as { n: number } | undefined
        )?.n ?? 0
      )
    },
    rows(vhost, queue) {
      const sql = `SELECT d.message_id AS messageId, d.state AS state ${ofQueue} ORDER BY d.seq`
      return (open()?.prepare(sql).all(vhost, queue) as StoredRow[] | undefined) ?? []
    },
    bulk(id) {
      return open()?.prepare(`SELECT ${progress} FROM bulks WHERE id = ?`).get(id) as
        BulkProgress | undefined
    },
    latestBulk(vhost, queue) {
      const sql = `SELECT ${progress} FROM bulks WHERE vhost = ? AND queue = ? ORDER BY created_at DESC LIMIT 1`
      return open()?.prepare(sql).get(vhost, queue) as BulkProgress | undefined
    },
    close: () => db?.close(),
  }
}
