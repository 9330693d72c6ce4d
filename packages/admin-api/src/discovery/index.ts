import { ApiError } from '../errors.js'
import type { ManagementClient } from '../rabbit/management.js'
import { inScope, type VhostScope } from '../scope.js'
import { discover, type TopologyInput } from './discover.js'
import type { Topology } from './types.js'

/** Discovered topology, cached briefly so the console's polling doesn't hammer the broker. */
export interface Discovery {
  /**
   * The topology of one vhost, or of every vhost in scope when none is given; a vhost outside
   * the scope has no queues.
   */
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
  scope?: VhostScope,
): Discovery {
  const cache = new Map<string, { at: number; value: Promise<Topology> }>()
  return {
    topology(vhost) {
      const key = vhost === undefined ? '*' : `v:${vhost}`
      const hit = cache.get(key)
      if (hit && now() - hit.at < cacheMs) return hit.value
      for (const [k, entry] of cache) if (now() - entry.at >= cacheMs) cache.delete(k)
      const value = (async () => {
        const topology = discover({ ...(await read(client, vhost, scope)), now: now() })
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

type Objects = Omit<TopologyInput, 'now'>

async function readVhost(client: ManagementClient, vhost?: string): Promise<Objects> {
  const [queues, bindings, exchanges, policies] = await Promise.all([
    client.queues(vhost),
    client.bindings(vhost),
    client.exchanges(vhost),
    client.policies(vhost),
  ])
  return { queues, bindings, exchanges, policies }
}

/** With a scope, each of its vhosts is asked for on its own, so nothing else is ever read. */
async function read(client: ManagementClient, vhost: string | undefined, scope: VhostScope) {
  const none: Objects = { queues: [], bindings: [], exchanges: [], policies: [] }
  if (vhost !== undefined) return inScope(scope, vhost) ? readVhost(client, vhost) : none
  if (scope === undefined) return readVhost(client)
  const parts = await Promise.all(
    scope.map((name) =>
      readVhost(client, name).catch((error: unknown) => {
        // A watched vhost that doesn't exist (yet) has no queues; it must not hide the others.
        if (error instanceof ApiError && error.status === 404) return none
        throw error
      }),
    ),
  )
  return {
    queues: parts.flatMap((part) => part.queues),
    bindings: parts.flatMap((part) => part.bindings),
    exchanges: parts.flatMap((part) => part.exchanges),
    policies: parts.flatMap((part) => part.policies),
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
