import type { QueueItem } from './types.js'

/** The key of `byName` maps: queue names are unique per vhost only. */
export const queueKey = (vhost: string, name: string) => `${vhost}\u0000${name}`

/**
 * Finds the queues a work queue links to, for its topology drawing, their counts from `byName`
 * (the server sends the linked queues' counts beside a page or a queue).
 */
export function topologyOf(queue: QueueItem, byName: ReadonlyMap<string, { messages: number }>) {
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

/** The counts of listed queues and of the queues they link to, for {@link topologyOf}. */
export const countsByName = (
  ...lists: readonly (readonly { vhost: string; name: string; messages: number }[])[]
): ReadonlyMap<string, { messages: number }> =>
  new Map(lists.flat().map((q) => [queueKey(q.vhost, q.name), q]))
