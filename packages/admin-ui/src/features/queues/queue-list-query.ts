// The queue list's query as the console reads it from a URL, without zod: the API's schema
// (`@warren/admin-api/queues-query`) would bring classic zod into the browser bundle. Its types
// are imported, so a role or sort key added there fails this file's build until it is here too.
import type {
  MAX_PAGE_SIZE as API_MAX_PAGE_SIZE,
  QueueListQuery,
  QueueSortKey,
} from '@warren/admin-api/queues-query'

type QueueRole = NonNullable<QueueListQuery['role']>

// Records, so the compiler checks that each list is the API's, no key missing and none extra.
const ROLES: Record<QueueRole, true> = { work: true, retry: true, 'dead-letter': true, other: true }
const SORT_KEYS: Record<QueueSortKey, true> = {
  name: true,
  vhost: true,
  role: true,
  messages: true,
  ready: true,
  unacked: true,
  consumers: true,
  publishRate: true,
  deliverRate: true,
  ackRate: true,
}

export const QUEUE_ROLES = Object.keys(ROLES) as QueueRole[]
export const MAX_PAGE_SIZE: typeof API_MAX_PAGE_SIZE = 500

/** The server's defaults (queueListQuery's `.default(...)`s). */
export const DEFAULT_LIST: QueueListQuery = { sort: 'name', order: 'asc', page: 1, pageSize: 100 }

const bytes = new TextEncoder()
// eslint-disable-next-line no-control-regex -- control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/

/** A vhost name as the API's `resourceName` accepts it; undefined when it would refuse it. */
function vhostOf(text: string): string | undefined {
  const ok =
    text.length > 0 &&
    bytes.encode(text).length <= 255 &&
    !CONTROL.test(text) &&
    text !== '.' &&
    text !== '..'
  return ok ? text : undefined
}

function integerOf(text: string, max: number): number | undefined {
  if (text.trim() === '') return undefined
  const n = Number(text)
  return Number.isInteger(n) && n >= 1 && n <= max ? n : undefined
}

/** Each field of the query read from text, as the API's schema reads it; undefined if invalid. */
export const FIELD_READERS: {
  [K in keyof QueueListQuery]-?: (text: string) => QueueListQuery[K] | undefined
} = {
  vhost: vhostOf,
  search: (text) => (text.trim().length <= 255 ? text.trim() : undefined),
  role: (text) => (text in ROLES ? (text as QueueRole) : undefined),
  sort: (text) => (text in SORT_KEYS ? (text as QueueSortKey) : undefined),
  order: (text) => (text === 'asc' || text === 'desc' ? text : undefined),
  page: (text) => integerOf(text, Number.MAX_SAFE_INTEGER),
  pageSize: (text) => integerOf(text, MAX_PAGE_SIZE),
}
