import type { z } from 'zod'
import { ApiError } from '../errors.js'
import type { AmqpPool } from '../rabbit/amqp.js'
import { fingerprint } from '../store/fingerprint.js'
import type { DeadLetterFilter, DeadLetterStore, GroupRow } from '../store/types.js'
import { MAX_SEARCH_SCAN } from './browse.js'
import { deadLetteredTime } from './head.js'
import { toMessageView } from './message-view.js'
import type { QueueReader } from './reader.js'
import type { BrowseResult, GroupsResult, GroupView, filterQuerySchema } from './schemas.js'
import { storedView } from './stored-message.js'

// Browse and failure groups of a queue whose dead letters are in the store: every answer comes
// from the store's indexes, so its cost does not grow with the queue's depth. A queue read live
// gets groups too, made from the messages a live reading can take (and said to be partial).

export type FilterQuery = z.output<typeof filterQuerySchema>

/** The store's filter from a query's fields (and nothing else of the query). */
export function filterOf(query: FilterQuery): DeadLetterFilter {
  const { search, reason, errorName, originalQueue, routingKey, group, from, to } = query
  return { search, reason, errorName, originalQueue, routingKey, group, from, to }
}

/** Messages RabbitMQ still holds in the queue (the intake drains it); 0 when it is gone. */
async function inBroker(pool: AmqpPool, vhost: string, queue: string): Promise<number> {
  try {
    return (await pool.checkQueue(vhost, queue, { countMatters: false })).messageCount
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return 0
    throw error
  }
}

export async function browseStored(
  store: DeadLetterStore,
  pool: AmqpPool,
  vhost: string,
  queue: string,
  query: FilterQuery & { limit: number; offset: number },
): Promise<BrowseResult> {
  const filter = filterOf(query)
  const filtered = Object.values(filter).some((value) => value !== undefined)
  const [held, matched, rows, waiting, searchBacklog] = await Promise.all([
    store.count(vhost, queue),
    filtered ? store.count(vhost, queue, filter) : undefined,
    store.page(vhost, queue, filter, query.limit, query.offset),
    inBroker(pool, vhost, queue),
    store.searchBacklog(),
  ])
  return {
    total: matched ?? held,
    items: rows.map(storedView),
    reading: {
      mode: 'store',
      deliveryLimit: null,
      readAt: new Date().toISOString(),
      held,
      inBroker: waiting,
      searchBacklog,
    },
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())

function groupView(row: GroupRow): GroupView {
  return { ...row, firstSeen: iso(row.firstSeen), lastSeen: iso(row.lastSeen) }
}

export async function groupsStored(
  store: DeadLetterStore,
  vhost: string,
  queue: string,
  query: FilterQuery,
): Promise<GroupsResult> {
  const rows = await store.groups(vhost, queue, filterOf(query))
  return {
    items: rows.map(groupView),
    total: rows.reduce((sum, row) => sum + row.count, 0),
    complete: true,
  }
}

/** Groups of a queue read live: of its first messages, at most {@link MAX_SEARCH_SCAN}. */
export async function groupsLive(
  reader: QueueReader,
  vhost: string,
  queue: string,
): Promise<GroupsResult> {
  const read = await reader.read(vhost, queue, MAX_SEARCH_SCAN)
  const groups = new Map<string, GroupRow>()
  for (const { message } of read.messages) {
    const view = toMessageView(message)
    const error = view.error
    const key = fingerprint({
      errorName: error?.name ?? null,
      errorMessage: error?.message ?? null,
      stack: error?.stack ?? null,
      originalQueue: view.originalQueue,
    })
    const at = deadLetteredTime(view) ?? read.readAt
    const group = groups.get(key)
    if (group === undefined) {
      groups.set(key, {
        key,
        errorName: error?.name ?? null,
        errorMessage: error?.message ?? null,
        count: 1,
        firstSeen: at,
        lastSeen: at,
        originalQueues: view.originalQueue === null ? [] : [view.originalQueue],
      })
      continue
    }
    group.count += 1
    group.firstSeen = Math.min(group.firstSeen, at)
    group.lastSeen = Math.max(group.lastSeen, at)
    if (view.originalQueue !== null && !group.originalQueues.includes(view.originalQueue)) {
      group.originalQueues.push(view.originalQueue)
    }
  }
  const items = [...groups.values()].sort((a, b) => b.count - a.count).map(groupView)
  return { items, total: read.messages.length, complete: read.messages.length >= read.total }
}
