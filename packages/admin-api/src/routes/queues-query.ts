import { z } from 'zod'
import { resourceName } from '../security/names.js'

// The query of `GET /api/queues`: its filter, sort keys and paging, defined once for the route
// and the console (`@warren/admin-api/queues-query`). Only zod here, so the console can import it
// into a browser bundle.

/** What a queue is for, as discovery finds it. */
export const QUEUE_ROLES = ['work', 'retry', 'dead-letter', 'other'] as const

/** What the list sorts by; ties go by vhost, then name. */
export const QUEUE_SORT_KEYS = [
  'name',
  'vhost',
  'role',
  'messages',
  'ready',
  'unacked',
  'consumers',
  'publishRate',
  'deliverRate',
  'ackRate',
] as const
export type QueueSortKey = (typeof QUEUE_SORT_KEYS)[number]

/**
 * Sort keys that need every queue's depth or consumers as the broker says them now: on a broker
 * without statistics, a passive declare of every queue the filter leaves.
 */
export const COUNTED_SORT_KEYS: ReadonlySet<QueueSortKey> = new Set([
  'messages',
  'ready',
  'consumers',
])

/** Largest page the queue list serves, so one request can't ask for everything at once. */
export const MAX_PAGE_SIZE = 500

export const queueListQuery = z.object({
  vhost: resourceName.optional(),
  /** Case-insensitive text in `vhost/name`. */
  search: z.string().trim().max(255).optional(),
  role: z.enum(QUEUE_ROLES).optional(),
  sort: z.enum(QUEUE_SORT_KEYS).default('name'),
  order: z.enum(['asc', 'desc']).default('asc'),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(100),
})

/** A parsed queue-list query, every default filled in. */
export type QueueListQuery = z.output<typeof queueListQuery>
