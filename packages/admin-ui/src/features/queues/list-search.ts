import type { QueueListQuery, QueueSortKey } from '@warren/admin-api/queues-query'
import { DEFAULT_LIST, FIELD_READERS } from './queue-list-query.js'

/** The queue list's filter, sort and page as the URL keeps them: only what differs from the default. */
export type QueueListSearch = Partial<QueueListQuery>

export { DEFAULT_LIST }

/**
 * Reads the URL's search params as the route's schema does, field by field, so a link with one
 * stale or mistyped value still opens the rest of its view.
 */
export function parseListSearch(raw: Record<string, unknown>): QueueListSearch {
  const search: Record<string, unknown> = {}
  for (const [field, read] of Object.entries(FIELD_READERS)) {
    const value = raw[field]
    if (value === undefined || value === '') continue
    // The router reads `?page=2` as a number and `?search=123` too: the readers read text.
    const parsed = read(typeof value === 'string' ? value : JSON.stringify(value))
    if (parsed !== undefined && parsed !== DEFAULT_LIST[field as keyof QueueListQuery]) {
      search[field] = parsed
    }
  }
  return search as QueueListSearch
}

/** The full query a URL's search params stand for. */
export const listQueryOf = (search: QueueListSearch): QueueListQuery => ({
  ...DEFAULT_LIST,
  ...search,
})

/** Numbers read best largest first; names and roles A to Z. */
export const firstOrderOf = (key: QueueSortKey): QueueListQuery['order'] =>
  key === 'name' || key === 'vhost' || key === 'role' ? 'asc' : 'desc'

/** The search after a click on a column header: the same key turns round, another starts anew. */
export function sortedBy(current: QueueListQuery, key: QueueSortKey): QueueListSearch {
  const order =
    current.sort === key ? (current.order === 'asc' ? 'desc' : 'asc') : firstOrderOf(key)
  return { sort: key, order, page: 1 }
}
