import type { ManagementClient } from '../rabbit/management.js'
import { discover } from './discover.js'
import type { Topology } from './types.js'

/** Discovered topology, cached briefly so the console's polling doesn't hammer the broker. */
export interface Discovery {
  /** The topology of one vhost, or of all vhosts when none is given. */
  topology(vhost?: string): Promise<Topology>
}

/**
 * When the message at the head of a dead-letter queue was dead-lettered (epoch ms), or null. The
 * management API knows only the `timestamp` of classic queues' heads.
 */
export type HeadTime = (vhost: string, queue: string) => Promise<number | null>

export function createDiscovery(
  client: ManagementClient,
  cacheMs: number,
  now: () => number = Date.now,
  headTime?: HeadTime,
): Discovery {
  const cache = new Map<string, { at: number; value: Promise<Topology> }>()
  return {
    topology(vhost) {
      const key = vhost === undefined ? '*' : `v:${vhost}`
      const hit = cache.get(key)
      if (hit && now() - hit.at < cacheMs) return hit.value
      for (const [k, entry] of cache) if (now() - entry.at >= cacheMs) cache.delete(k)
      const value = (async () => {
        const [queues, bindings, exchanges, policies] = await Promise.all([
          client.queues(vhost),
          client.bindings(vhost),
          client.exchanges(vhost),
          client.policies(vhost),
        ])
        const topology = discover({ queues, bindings, exchanges, policies, now: now() })
        if (headTime) await fillOldestAges(topology, headTime, now)
        return topology
      })()
      // Concurrent callers share one request; a failure is not cached.
      cache.set(key, { at: now(), value })
      value.catch(() => cache.delete(key))
      return value
    },
  }
}

/** Ages every non-empty DLQ's oldest dead letter by when it was dead-lettered, not published. */
async function fillOldestAges(topology: Topology, headTime: HeadTime, now: () => number) {
  const deadLetterQueues = topology.queues.filter(
    // A DLQ that something consumes is being drained: a peek would only compete with it.
    (q) => q.role === 'dead-letter' && q.messages > 0 && q.consumers === 0 && q.type !== 'stream',
  )
  await Promise.all(
    deadLetterQueues.map(async (q) => {
      const at = await headTime(q.vhost, q.name)
      if (at !== null) q.oldestAgeMs = Math.max(0, now() - at)
    }),
  )
}

export { discover } from './discover.js'
export type {
  DiscoveredQueue,
  QueueBinding,
  QueueRole,
  QueueRates,
  RetryTier,
  Topology,
} from './types.js'
