import { join } from 'node:path'
import type { QueueFactsLookup } from '../dead-letters/reading.js'
import { matchesPattern } from '../patterns.js'
import type { DeadLetterStore } from './types.js'

// Where dead letters live: in the store (custody: the admin API drains each dead-letter queue into
// it) or in RabbitMQ (live: read where they are, as an operator may want for some vhosts or
// queues). `WARREN_DEAD_LETTER_STORE` picks the store, `WARREN_LIVE_DEAD_LETTERS` the exceptions.

/** The store the admin API keeps dead letters in; `off`: every dead-letter queue is read live. */
export type StoreSetting =
  { kind: 'sqlite'; path: string } | { kind: 'postgres'; url: string } | { kind: 'off' }

export const STORE_SETTING_FORMAT = 'expected sqlite, sqlite:<path>, a postgres:// URL or off'
export const LIVE_PATTERN_FORMAT =
  'expected <vhost> or <vhost>/<queue> entries, e.g. %2F/orders.dlq'

/** Whether `parse` takes a value without throwing: for a schema's refinement. */
export function parses<T>(parse: (value: T) => unknown) {
  return (value: T): boolean => {
    try {
      parse(value)
      return true
    } catch {
      return false
    }
  }
}

/**
 * Reads `WARREN_DEAD_LETTER_STORE`: `sqlite` (the default, a file in the data directory),
 * `sqlite:<path>`, a `postgres://` or `postgresql://` URL, or `off`. Throws with the reason.
 */
export function parseStoreSetting(value: string, dataDir: string): StoreSetting {
  const text = value.trim()
  if (text === 'off') return { kind: 'off' }
  if (text === 'sqlite') return { kind: 'sqlite', path: join(dataDir, 'dead-letters.sqlite') }
  if (text.startsWith('sqlite:')) {
    const path = text.slice('sqlite:'.length)
    if (path === '') throw new Error('sqlite: needs a file path, e.g. sqlite:/var/lib/warren/dl.db')
    return { kind: 'sqlite', path }
  }
  if (/^postgres(ql)?:\/\//.test(text)) return { kind: 'postgres', url: text }
  throw new Error(STORE_SETTING_FORMAT)
}

/** One entry of `WARREN_LIVE_DEAD_LETTERS`: a vhost, or one queue of it (`*` in names). */
export interface LivePattern {
  vhost: string
  queue: string
}

/**
 * Reads `WARREN_LIVE_DEAD_LETTERS`: comma-separated `<vhost>` or `<vhost>/<queue>`, the vhost
 * percent-encoded as in the management API (`%2F` for `/`), `*` matching any run of characters.
 */
export function parseLivePatterns(entries: readonly string[]): LivePattern[] {
  return entries.map((entry) => {
    const slash = entry.indexOf('/')
    const vhost = decodeURIComponent(slash === -1 ? entry : entry.slice(0, slash))
    const queue = slash === -1 ? '*' : entry.slice(slash + 1)
    if (vhost === '' || queue === '') {
      throw new Error(`'${entry}': expected <vhost> or <vhost>/<queue>, e.g. %2F/orders.dlq`)
    }
    return { vhost, queue }
  })
}

/** Whether a dead-letter queue stays in RabbitMQ, read live, rather than in the store. */
export function isLive(patterns: readonly LivePattern[], vhost: string, queue: string): boolean {
  return patterns.some((p) => matchesPattern(p.vhost, vhost) && matchesPattern(p.queue, queue))
}

/** The store and which queues are in its care (custody: drained into it by the intake). */
export interface StoreCustody {
  store: DeadLetterStore
  /**
   * Whether the store keeps the dead letters of this queue: a dead-letter queue not left live,
   * or one whose dead letters the store still holds after the queue went.
   */
  custody(vhost: string, queue: string): Promise<boolean>
}

/** The store's custody: dead-letter queues (not streams) that `live` does not keep in RabbitMQ. */
export function storeCustody(
  store: DeadLetterStore,
  facts: QueueFactsLookup,
  live: (vhost: string, queue: string) => boolean,
): StoreCustody {
  return {
    store,
    async custody(vhost, queue) {
      if (live(vhost, queue)) return false
      const found = await facts(vhost, queue)
      if (found !== null) return found.role === 'dead-letter' && found.type !== 'stream'
      return (await store.count(vhost, queue)) > 0
    },
  }
}
