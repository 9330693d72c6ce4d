import type { QueueLocks } from '../operations/locks.js'
import type { AmqpPool } from '../rabbit/amqp.js'
import { browse } from './browse.js'
import type { MessageView } from './schemas.js'

/** Options of the head reader. */
export interface HeadReaderOptions {
  pool: AmqpPool
  /** A queue under an operation is not peeked: the peek would hold a message the scan counts on. */
  locks: QueueLocks
  /**
   * How long one queue's answer is reused, so that the console's polling and the alert monitor
   * peek each queue at most once per period.
   * @default 5000
   */
  cacheMs?: number
  /** @default Date.now */
  now?: () => number
}

/** When the message at the head of a dead-letter queue was dead-lettered. */
export interface HeadReader {
  /** Epoch ms, or null when the queue is empty, busy, gone, or its head carries no time at all. */
  deadLetteredAt(vhost: string, queue: string): Promise<number | null>
}

/**
 * The time a message was dead-lettered: the SDK's `warren-last-failed-at` (or another
 * framework's failure time), else the broker's latest `x-death` time, else the `timestamp`
 * property (when it was published, the best that is left).
 */
export function deadLetteredTime(view: Pick<MessageView, 'deadLetteredAt' | 'properties'>) {
  const { timestamp } = view.properties
  const iso = view.deadLetteredAt ?? (typeof timestamp === 'string' ? timestamp : null)
  const ms = iso === null ? NaN : Date.parse(iso)
  return Number.isNaN(ms) ? null : ms
}

/**
 * Reads the head of a queue without changing it (the browse machinery with a limit of 1). The
 * management API's `head_message_timestamp` covers only classic queues and messages with a
 * `timestamp`, so on the SDK's quorum DLQs the oldest dead letter would otherwise have no age.
 */
export function createHeadReader(options: HeadReaderOptions): HeadReader {
  const cacheMs = options.cacheMs ?? 5000
  const now = options.now ?? Date.now
  const cache = new Map<string, { at: number; value: Promise<number | null> }>()
  return {
    deadLetteredAt(vhost, queue) {
      const key = JSON.stringify([vhost, queue])
      const t = now()
      for (const [k, entry] of cache) if (t - entry.at >= cacheMs) cache.delete(k)
      const hit = cache.get(key)
      if (hit) return hit.value
      if (options.locks.held(vhost, queue)) return Promise.resolve(null)
      const value = browse(options.pool, vhost, queue, { limit: 1, offset: 0 }).then(
        ({ items }) => (items[0] ? deadLetteredTime(items[0]) : null),
        // An age is a nicety of a listing: a queue that vanished or a broker that hiccups must
        // not fail the listing, and the entry expires with the others.
        () => null,
      )
      cache.set(key, { at: t, value })
      return value
    },
  }
}
