import {
  queueListQuery,
  type QueueListQuery,
  type QueueSortKey,
} from '@warren/admin-api/queues-query'

/** The queue list's filter, sort and page as the URL keeps them: only what differs from the default. */
export type QueueListSearch = Partial<QueueListQuery>

/** The list's view when the URL says nothing: the server's defaults. */
export const DEFAULT_LIST: QueueListQuery = queueListQuery.parse({})

/**
 * Reads the URL's search params with the route's own schema, field by field, so a link with one
 * stale or mistyped value still opens the rest of its view.
 */
export function parseListSearch(raw: Record<string, unknown>): QueueListSearch {
  const search: Record<string, unknown> = {}
  for (const [field, schema] of Object.entries(queueListQuery.shape)) {
    const value = raw[field]
    if (value === undefined || value === '') continue
    // The router reads `?page=2` as a number and `?search=123` too: the schema reads text.
    const result = schema.safeParse(typeof value === 'string' ? value : JSON.stringify(value))
    if (result.success && result.data !== DEFAULT_LIST[field as keyof QueueListQuery]) {
      search[field] = result.data
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
