import type {
  ManagementBinding,
  ManagementExchange,
  ManagementPolicy,
  ManagementQueue,
} from '../rabbit/management-schemas.js'
import { deliveryLimitOf, lengthLimited } from './delivery-limit.js'
import { effectivePolicy } from './policy.js'
import { Router } from './routing.js'
import type { DiscoveredQueue, QueueRole, Topology } from './types.js'

/** What discovery reads from the management API. */
export interface TopologyInput {
  queues: readonly ManagementQueue[]
  bindings: readonly ManagementBinding[]
  exchanges: readonly ManagementExchange[]
  policies: readonly ManagementPolicy[]
  now: number
}

// Names are only a hint for queues nothing points at (yet): a lone `orders.dlq` is still a DLQ.
const DLQ_NAME = /(^|[.\-_])(dlq|dead[.\-_]?letters?)$/i

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null)
const num = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null

/**
 * Works out each queue's role and links from its arguments, its effective policy and the
 * bindings its dead-letter exchange routes through (not from names): a queue whose DLX and
 * routing key reach another queue links to it as its `deadLetterQueue`; a TTL queue without
 * consumers whose expired messages reach a queue that itself dead-letters or is consumed is a
 * retry tier of that queue.
 */
export function discover(input: TopologyInput): Topology {
  const byVhost = new Map<string, ManagementQueue[]>()
  for (const queue of input.queues) {
    const list = byVhost.get(queue.vhost) ?? []
    list.push(queue)
    byVhost.set(queue.vhost, list)
  }
  const result: DiscoveredQueue[] = []
  for (const [vhost, queues] of byVhost) {
    result.push(
      ...discoverVhost(
        queues,
        input.bindings.filter((binding) => binding.vhost === vhost),
        input.exchanges.filter((exchange) => exchange.vhost === vhost),
        input.policies,
        input.now,
      ),
    )
  }
  result.sort((a, b) => a.vhost.localeCompare(b.vhost) || a.name.localeCompare(b.name))
  return { at: input.now, queues: result }
}

function discoverVhost(
  queues: readonly ManagementQueue[],
  bindings: readonly ManagementBinding[],
  exchanges: readonly ManagementExchange[],
  policies: readonly ManagementPolicy[],
  now: number,
): DiscoveredQueue[] {
  const nodes = new Map(queues.map((queue) => [queue.name, toNode(queue, policies, now)]))
  const router = new Router(bindings, exchanges, new Set(nodes.keys()))

  const targets = new Map<string, string[]>()
  for (const node of nodes.values()) {
    if (node.deadLetterExchange === null) continue
    const keys =
      node.deadLetterRoutingKey !== null
        ? [node.deadLetterRoutingKey]
        : // Without a DLX routing key the broker keeps each message's own keys.
          router.keysInto(node.name)
    const reached = [...router.route(node.deadLetterExchange, keys)].filter((t) => t !== node.name)
    if (reached.length > 0) targets.set(node.name, reached.sort())
  }

  const retries = new Set<string>()
  const deadLetterQueues = new Set<string>()
  for (const [name, reached] of targets) {
    const node = nodes.get(name)
    if (!node) continue
    const returnsToWork = reached.every((target) => {
      const t = nodes.get(target)
      return t !== undefined && (t.deadLetterExchange !== null || t.consumers > 0)
    })
    if (node.messageTtlMs !== null && node.consumers === 0 && returnsToWork) {
      retries.add(name)
      node.retryOf = reached[0] ?? null
      for (const target of reached) {
        nodes.get(target)?.retryQueues.push({ name, delayMs: node.messageTtlMs })
      }
    }
  }
  for (const [name, reached] of targets) {
    const node = nodes.get(name)
    if (!node || retries.has(name)) continue
    // A work queue whose DLX leads into its own retry tier (the "wait queue" pattern) has no DLQ.
    const dlqs = reached.filter((target) => nodes.get(target)?.retryOf !== name)
    node.deadLetterQueue = dlqs[0] ?? null
    for (const target of dlqs) {
      deadLetterQueues.add(target)
      nodes.get(target)?.feeds.push(name)
    }
  }

  for (const node of nodes.values()) {
    node.bindings = router.bindingsInto(node.name)
    node.retryQueues.sort((a, b) => a.delayMs - b.delayMs || a.name.localeCompare(b.name))
    node.feeds.sort()
    node.role = roleOf(node, retries, deadLetterQueues)
  }
  return [...nodes.values()]
}

function roleOf(
  node: DiscoveredQueue,
  retries: ReadonlySet<string>,
  deadLetterQueues: ReadonlySet<string>,
): QueueRole {
  if (retries.has(node.name)) return 'retry'
  if (deadLetterQueues.has(node.name)) return 'dead-letter'
  if (node.deadLetterQueue !== null || node.retryQueues.length > 0) return 'work'
  if (DLQ_NAME.test(node.name) && node.type !== 'stream') return 'dead-letter'
  return 'other'
}

function toNode(
  queue: ManagementQueue,
  policies: readonly ManagementPolicy[],
  now: number,
): DiscoveredQueue {
  const policy = effectivePolicy(queue, policies)
  const args = queue.arguments
  // Queue arguments win over a policy for the DLX; for TTLs the broker applies the lower one.
  const ttls = [num(args['x-message-ttl']), num(policy.definition['message-ttl'])].filter(
    (ttl): ttl is number => ttl !== null,
  )
  const stats = queue.message_stats ?? {}
  const head = queue.head_message_timestamp
  return {
    vhost: queue.vhost,
    name: queue.name,
    type: queue.type,
    role: 'other',
    messages: queue.messages ?? 0,
    ready: queue.messages_ready ?? 0,
    unacked: queue.messages_unacknowledged ?? 0,
    consumers: queue.consumers ?? 0,
    rates: {
      publish: stats.publish_details?.rate ?? 0,
      deliver: stats.deliver_get_details?.rate ?? 0,
      ack: stats.ack_details?.rate ?? 0,
      redeliver: stats.redeliver_details?.rate ?? 0,
    },
    totals: {
      published: stats.publish ?? 0,
      delivered: stats.deliver_get ?? 0,
      acked: stats.ack ?? 0,
    },
    deadLetterExchange:
      str(args['x-dead-letter-exchange']) ?? str(policy.definition['dead-letter-exchange']),
    deadLetterRoutingKey:
      str(args['x-dead-letter-routing-key']) ?? str(policy.definition['dead-letter-routing-key']),
    messageTtlMs: ttls.length > 0 ? Math.min(...ttls) : null,
    policy: policy.name,
    deliveryLimit: deliveryLimitOf(queue, policy.definition),
    lengthLimited: lengthLimited(queue, policy.definition),
    deadLetterQueue: null,
    retryQueues: [],
    retryOf: null,
    bindings: [],
    feeds: [],
    // head_message_timestamp is in seconds (the AMQP timestamp property).
    oldestAgeMs:
      typeof head === 'number' && (queue.messages ?? 0) > 0 ? Math.max(0, now - head * 1000) : null,
    stored: null,
  }
}
