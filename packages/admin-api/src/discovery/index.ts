import type { ManagementClient } from '../rabbit/management.js'
import { discover } from './discover.js'
import type { Topology } from './types.js'

/** Discovered topology, cached briefly so the console's polling doesn't hammer the broker. */
export interface Discovery {
  /** The topology of one vhost, or of all vhosts when none is given. */
  topology(vhost?: string): Promise<Topology>
}

export function createDiscovery(
  client: ManagementClient,
  cacheMs: number,
  now: () => number = Date.now,
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
        return discover({ queues, bindings, exchanges, policies, now: now() })
      })()
      // Concurrent callers share one request; a failure is not cached.
      cache.set(key, { at: now(), value })
      value.catch(() => cache.delete(key))
      return value
    },
  }
}

export { discover } from './discover.js'
export type { DiscoveredQueue, QueueRole, QueueRates, RetryTier, Topology } from './types.js'
