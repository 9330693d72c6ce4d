import type { MessageView } from './schemas.js'

/**
 * When a queue's oldest dead letter was dead-lettered, as Warren last saw it in a browse. Nothing
 * is ever read to learn it: the background (the dead-letter list, the alert monitor) must never
 * take a message from a queue, so a queue nobody has opened yet has no age here.
 */
export interface DeadLetterAges {
  /** Records what a browse saw: the earliest dead-lettered time among the messages it read. */
  record(vhost: string, queue: string, oldest: number | null): void
  /** Epoch ms, or null when the queue has not been seen or held no time at all. */
  deadLetteredAt(vhost: string, queue: string): Promise<number | null>
  /** Forgets a queue an operation has emptied or changed. */
  forget(vhost: string, queue: string): void
}

/** Most queues remembered; the oldest entries go first. */
const MAX_QUEUES = 10_000

export function createDeadLetterAges(): DeadLetterAges {
  const seen = new Map<string, number | null>()
  const key = (vhost: string, queue: string) => JSON.stringify([vhost, queue])
  return {
    record(vhost, queue, oldest) {
      const k = key(vhost, queue)
      seen.delete(k)
      seen.set(k, oldest)
      if (seen.size > MAX_QUEUES) seen.delete(seen.keys().next().value!)
    },
    deadLetteredAt: (vhost, queue) => Promise.resolve(seen.get(key(vhost, queue)) ?? null),
    forget(vhost, queue) {
      seen.delete(key(vhost, queue))
    },
  }
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

/** The earliest dead-lettered time among `views`, or null. */
export function oldestOf(views: readonly Pick<MessageView, 'deadLetteredAt' | 'properties'>[]) {
  let oldest: number | null = null
  for (const view of views) {
    const at = deadLetteredTime(view)
    if (at !== null && (oldest === null || at < oldest)) oldest = at
  }
  return oldest
}
