import type { DiscoveredQueue, Topology } from '../discovery/index.js'
import { queueId } from '../stats/index.js'
import { COUNTED_SORT_KEYS, type QueueListQuery, type QueueSortKey } from './queues-query.js'
import type { Services } from './services.js'

/** A queue that one listed queue links to (its dead-letter queue or a retry tier), with its depth. */
export interface RelatedQueue {
  vhost: string
  name: string
  messages: number
}

const collator = new Intl.Collator('en')

const SORT_VALUES: Record<QueueSortKey, (q: DiscoveredQueue) => string | number> = {
  name: (q) => q.name,
  vhost: (q) => q.vhost,
  role: (q) => q.role,
  messages: (q) => q.messages,
  ready: (q) => q.ready,
  unacked: (q) => q.unacked,
  consumers: (q) => q.consumers,
  publishRate: (q) => q.rates.publish,
  deliverRate: (q) => q.rates.deliver,
  ackRate: (q) => q.rates.ack,
}

const compare = (x: string | number, y: string | number) =>
  typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y))

/** The queues the query's vhost, role and search text leave. */
function filterQueues(queues: readonly DiscoveredQueue[], q: QueueListQuery) {
  const needle = q.search?.toLowerCase()
  return queues.filter(
    (queue) =>
      (q.vhost === undefined || queue.vhost === q.vhost) &&
      (!q.role || queue.role === q.role) &&
      (!needle || `${queue.vhost}/${queue.name}`.toLowerCase().includes(needle)),
  )
}

/** `queues` sorted in place by the query's key and order; ties by vhost, then name. */
function sortQueues(queues: DiscoveredQueue[], q: QueueListQuery) {
  const value = SORT_VALUES[q.sort]
  const direction = q.order === 'asc' ? 1 : -1
  return queues.sort(
    (a, b) =>
      compare(value(a), value(b)) * direction ||
      collator.compare(a.vhost, b.vhost) ||
      collator.compare(a.name, b.name),
  )
}

/** The dead-letter queues and retry tiers that `queues` link to, each once. */
function linkedTo(queues: readonly DiscoveredQueue[], topology: Topology): DiscoveredQueue[] {
  const byId = new Map(topology.queues.map((q) => [queueId(q.vhost, q.name), q]))
  const linked = new Map<string, DiscoveredQueue>()
  for (const queue of queues) {
    const names = [queue.deadLetterQueue, ...queue.retryQueues.map((tier) => tier.name)]
    for (const name of names) {
      const id = name === null ? undefined : queueId(queue.vhost, name)
      const found = id === undefined ? undefined : byId.get(id)
      if (id !== undefined && found) linked.set(id, found)
    }
  }
  return [...linked.values()]
}

/**
 * `queues` with the depth and consumers a passive declare gives, where the broker keeps no
 * statistics and the topology was read without declares; copies, the cached topology stays as it
 * was.
 */
async function counted(
  s: Pick<Services, 'management'>,
  queues: readonly DiscoveredQueue[],
): Promise<DiscoveredQueue[]> {
  const counts = await s.management.declaredCounts(queues)
  return queues.map((q) => {
    const declared = counts.get(queueId(q.vhost, q.name))
    if (!declared) return q
    return {
      ...q,
      ready: declared.ready,
      messages: declared.ready + q.unacked,
      consumers: declared.consumers,
    }
  })
}

/**
 * One page of the queue list: filtered and sorted once over the discovered topology, then cut.
 * On a broker without statistics the topology is read without declares; a sort by depth or
 * consumers then declares every queue the filter leaves (to sort by what the broker says now),
 * any other sort only the page and the queues it links to.
 */
export async function listQueues(s: Pick<Services, 'discovery' | 'management'>, q: QueueListQuery) {
  const topology = await s.discovery.topology(q.vhost, { counts: 'listed' })
  const byCount = COUNTED_SORT_KEYS.has(q.sort)
  const matching = filterQueues(topology.queues, q)
  const sorted = sortQueues(byCount ? await counted(s, matching) : matching, q)
  const start = (q.page - 1) * q.pageSize
  const page = sorted.slice(start, start + q.pageSize)
  const linked = linkedTo(page, topology)
  const [items, related] = byCount
    ? [page, await counted(s, linked)]
    : split(await counted(s, [...page, ...linked]), page.length)
  return {
    items,
    total: matching.length,
    page: q.page,
    pageSize: q.pageSize,
    related: related.map(toRelated),
  }
}

const split = <T>(list: T[], at: number): [T[], T[]] => [list.slice(0, at), list.slice(at)]

const toRelated = ({ vhost, name, messages }: DiscoveredQueue): RelatedQueue => ({
  vhost,
  name,
  messages,
})

/** One queue of the topology and its linked queues, counted as {@link listQueues} counts a page. */
export async function oneQueue(
  s: Pick<Services, 'discovery' | 'management'>,
  vhost: string,
  name: string,
) {
  const topology = await s.discovery.topology(vhost, { counts: 'listed' })
  const queue = topology.queues.find((q) => q.name === name)
  if (!queue) return undefined
  const [one = queue, ...related] = await counted(s, [queue, ...linkedTo([queue], topology)])
  return { queue: one, related: related.map(toRelated) }
}
