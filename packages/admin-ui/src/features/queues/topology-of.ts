import type { QueueItem } from './types.js'

/** The key of `byName` maps: queue names are unique per vhost only. */
export const queueKey = (vhost: string, name: string) => `${vhost}\u0000${name}`

/** Finds the queues a work queue links to, for its topology drawing. */
export function topologyOf(queue: QueueItem, byName: Map<string, QueueItem>) {
  const key = (name: string) => queueKey(queue.vhost, name)
  const dlq = queue.deadLetterQueue ? byName.get(key(queue.deadLetterQueue)) : undefined
  return {
    vhost: queue.vhost,
    bindings: queue.bindings,
    queue: { name: queue.name, messages: queue.messages },
    tiers: queue.retryQueues.map((tier) => ({
      name: tier.name,
      delayMs: tier.delayMs,
      messages: byName.get(key(tier.name))?.messages ?? null,
    })),
    deadLetterQueue: queue.deadLetterQueue
      ? { name: queue.deadLetterQueue, messages: dlq?.messages ?? null }
      : null,
  }
}
