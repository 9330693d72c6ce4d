import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query'
import { api, call, segment } from '../../../lib/api-client.js'
import { usePollInterval } from '../../../lib/poll-interval.js'
import { queryKeys } from '../../../lib/query-keys.js'
import { compactFilter } from '../store-filter.js'
import type { StoreFilter } from '../store-filter.js'

/** The API serves at most this many messages per request. */
const PAGE = 500
/** Browsing reads (and returns) every message it shows, so it is refreshed less often. */
const MIN_REFRESH_MS = 15_000

export interface MessagesParams {
  /** A live reading: how many to load from the head. The store: the page's size. */
  limit: number
  /** Where the page starts; the store pages at any depth, a live reading loads from the head. */
  offset: number
  /** The store applies every field; a live reading only `search`. */
  filter: StoreFilter
}

/**
 * One DLQ's messages. The store answers with one page of the filtered messages; a live reading
 * (non-destructive) is loaded page after page until `limit` messages are in, for the browser to
 * filter and group.
 */
export async function getMessages(vhost: string, queue: string, params: MessagesParams) {
  const endpoint = api.api['dead-letters'][':vhost'][':queue'].messages
  const param = { vhost: segment(vhost), queue: segment(queue) }
  const filter = compactFilter(params.filter)
  const page = (limit: number, offset: number) =>
    call(
      endpoint.$get({ param, query: { ...filter, limit: String(limit), offset: String(offset) } }),
    )
  const first = await page(Math.min(PAGE, params.limit), params.offset)
  if (first.reading.mode === 'store') return first
  const items = [...first.items]
  while (items.length < params.limit && items.length < first.total) {
    const next = await page(Math.min(PAGE, params.limit - items.length), items.length)
    if (next.items.length === 0) break
    items.push(...next.items)
  }
  return { total: first.total, items, reading: first.reading }
}

export const messagesQueryOptions = (vhost: string, queue: string, params: MessagesParams) =>
  queryOptions({
    queryKey: queryKeys.deadLetters.messages(vhost, queue, {
      ...params,
      filter: compactFilter(params.filter),
    }),
    queryFn: () => getMessages(vhost, queue, params),
  })

export function useMessages(
  vhost: string,
  queue: string,
  params: MessagesParams,
  { enabled = true }: { enabled?: boolean } = {},
) {
  const interval = usePollInterval()
  return useQuery({
    ...messagesQueryOptions(vhost, queue, params),
    enabled,
    refetchInterval: interval === false ? false : Math.max(interval, MIN_REFRESH_MS),
    placeholderData: keepPreviousData,
  })
}
