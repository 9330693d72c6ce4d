import { ApiError } from '../errors.js'
import type { QueueFactsLookup } from '../dead-letters/reading.js'
import {
  createManagementClient,
  type ManagementClient,
  type ManagementOptions,
} from '../rabbit/management.js'
import { matchesPattern } from '../patterns.js'
import { inScope, scopeHasPatterns, type VhostScope } from '../scope.js'
import { discover, type TopologyInput } from './discover.js'
import type { QueueSummary } from '../store/types.js'
import type { Topology } from './types.js'

/** How exact a topology's counts must be. */
export interface TopologyOptions {
  /**
   * `exact`: every queue's depth and consumers as the broker says them now (on a broker without
   * statistics, a passive declare of each queue); `listed`: as the broker lists them (there, the
   * last Prometheus reading, with no declare), for callers that count only a few queues exactly.
   * @default 'exact'
   */
  counts?: 'exact' | 'listed'
}

/** Discovered topology, cached briefly so the console's polling doesn't hammer the broker. */
export interface Discovery {
  /**
   * The topology of one vhost, or of every vhost in scope when none is given; a vhost outside
   * the scope has no queues.
   */
  topology(vhost?: string, options?: TopologyOptions): Promise<Topology>
}

/** A management client that may also list queues without declaring them (see `stats/`). */
type DiscoveryClient = ManagementClient & {
  listedQueues?: ManagementClient['queues']
}

/**
 * When the message at the head of a dead-letter queue was dead-lettered (epoch ms), or null. The
 * management API knows only the `timestamp` of classic queues' heads.
 */
export type HeadTime = (vhost: string, queue: string) => Promise<number | null>

/** Whether `name` matches one of the operator's patterns. */
export function namedDeadLetterQueue(patterns: readonly string[], name: string): boolean {
  return patterns.some((pattern) => matchesPattern(pattern, name))
}

export function createDiscovery(
  client: DiscoveryClient,
  cacheMs: number,
  now: () => number = Date.now,
  headTime?: HeadTime,
  scope?: VhostScope,
  deadLetterQueues: readonly string[] = [],
  stored?: StoredCounts,
): Discovery {
  const cache = new Map<string, { at: number; value: Promise<Topology> }>()
  function cached(vhost: string | undefined, listed: boolean): Promise<Topology> {
    const key = `${listed ? 'listed' : 'exact'}:${vhost === undefined ? '*' : `v:${vhost}`}`
    const hit = cache.get(key)
    if (hit && now() - hit.at < cacheMs) return hit.value
    for (const [k, entry] of cache) if (now() - entry.at >= cacheMs) cache.delete(k)
    const value = (async () => {
      const source =
        listed && client.listedQueues ? { ...client, queues: client.listedQueues } : client
      const topology = discover({ ...(await read(source, vhost, scope)), now: now() })
      for (const queue of topology.queues) {
        if (queue.type !== 'stream' && namedDeadLetterQueue(deadLetterQueues, queue.name)) {
          queue.role = 'dead-letter'
        }
      }
      if (headTime) await fillOldestAges(topology, headTime, now)
      if (stored) await fillStored(topology, stored, now)
      return topology
    })()
    // Concurrent callers share one request; a failure is not cached.
    cache.set(key, { at: now(), value })
    value.catch(() => cache.delete(key))
    return value
  }
  return {
    async topology(vhost, options) {
      // Where the broker keeps statistics its lists are exact: both kinds share one reading.
      const listed =
        options?.counts === 'listed' &&
        client.listedQueues !== undefined &&
        (await client.statsDisabled())
      return cached(vhost, listed)
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

/**
 * With a scope, each of its vhosts is asked for on its own, so nothing else is ever read; a scope
 * with patterns asks the broker for its vhosts' names first and reads those that match.
 */
async function read(client: ManagementClient, vhost: string | undefined, scope: VhostScope) {
  const none: Objects = { queues: [], bindings: [], exchanges: [], policies: [] }
  if (vhost !== undefined) return inScope(scope, vhost) ? readVhost(client, vhost) : none
  if (scope === undefined) return readVhost(client)
  const names = scopeHasPatterns(scope)
    ? (await client.vhosts()).filter((name) => inScope(scope, name))
    : scope
  const parts = await Promise.all(
    names.map((name) =>
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

/**
 * What the dead-letter store holds per queue in its care, and whether a queue is in its care
 * (a DLQ left live is not, whatever the store still has of it).
 */
export interface StoredCounts {
  summaries(): Promise<QueueSummary[]>
  custody(vhost: string, queue: string): boolean
}

/** A DLQ in the store's care counts what the store holds, and ages by its oldest. */
async function fillStored(topology: Topology, stored: StoredCounts, now: () => number) {
  const held = new Map<string, QueueSummary>()
  for (const summary of await stored.summaries()) {
    held.set(JSON.stringify([summary.vhost, summary.queue]), summary)
  }
  for (const q of topology.queues) {
    if (q.role !== 'dead-letter' || q.type === 'stream' || !stored.custody(q.vhost, q.name))
      continue
    const summary = held.get(JSON.stringify([q.vhost, q.name]))
    q.stored = summary?.held ?? 0
    q.messages += q.stored
    if (summary?.oldest != null) {
      q.oldestAgeMs = Math.max(q.oldestAgeMs ?? 0, now() - summary.oldest)
    }
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

/**
 * A queue-facts lookup over the management API, for embedding the dead-letter module without
 * the rest of the admin app: each call reads the queue's vhost afresh.
 *
 * @example
 * const deadLetters = createDeadLetterModule({
 *   amqpUrls, audit, archiveMaxAge: '7D',
 *   queueFacts: managementQueueFacts({ url: 'http://127.0.0.1:15672', user, password }),
 * })
 */
export function managementQueueFacts(
  options: ManagementOptions & { deadLetterQueues?: readonly string[] },
): QueueFactsLookup {
  const discovery = createDiscovery(
    createManagementClient(options),
    0,
    Date.now,
    undefined,
    undefined,
    options.deadLetterQueues,
  )
  return (vhost, queue) => queueFacts(discovery, vhost, queue)
}

/** What the dead-letter routes need to know of one queue, from the (cached) topology. */
export async function queueFacts(
  discovery: Discovery,
  vhost: string,
  queue: string,
): ReturnType<QueueFactsLookup> {
  const found = (await discovery.topology(vhost)).queues.find((q) => q.name === queue)
  if (!found) return null
  const { type, role, deliveryLimit, lengthLimited } = found
  return { type, role, deliveryLimit, lengthLimited }
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
