import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query'
import { api, call, segment } from '../../../lib/api-client.js'
import { usePollInterval } from '../../../lib/poll-interval.js'
import { queryKeys } from '../../../lib/query-keys.js'

/** The API serves at most this many messages per request. */
const PAGE = 500
/** Browsing reads (and returns) every message it shows, so it is refreshed less often. */
const MIN_REFRESH_MS = 15_000

export interface MessagesParams {
  /** How many messages to load, from the head of the queue. */
  limit: number
  /** Server-side search over ids, headers, error and payload. */
  search: string
}

/** A non-destructive browse of one DLQ, page after page until `limit` messages are loaded. */
export async function getMessages(vhost: string, queue: string, { limit, search }: MessagesParams) {
  const endpoint = api.api['dead-letters'][':vhost'][':queue'].messages
  const param = { vhost: segment(vhost), queue: segment(queue) }
  const first = await call(
    endpoint.$get({
      param,
      query: { limit: String(Math.min(PAGE, limit)), offset: '0', ...(search ? { search } : {}) },
    }),
  )
  const items = [...first.items]
  while (items.length < limit && items.length < first.total) {
    const page = await call(
      endpoint.$get({
        param,
        query: {
          limit: String(Math.min(PAGE, limit - items.length)),
          offset: String(items.length),
          ...(search ? { search } : {}),
        },
      }),
    )
    if (page.items.length === 0) break
    items.push(...page.items)
  }
  return { total: first.total, items, reading: first.reading }
}

export const messagesQueryOptions = (vhost: string, queue: string, params: MessagesParams) =>
  queryOptions({
    queryKey: queryKeys.deadLetters.messages(vhost, queue, params),
    queryFn: () => getMessages(vhost, queue, params),
  })

export function useMessages(vhost: string, queue: string, params: MessagesParams) {
  const interval = usePollInterval()
  return useQuery({
    ...messagesQueryOptions(vhost, queue, params),
    refetchInterval: interval === false ? false : Math.max(interval, MIN_REFRESH_MS),
    placeholderData: keepPreviousData,
  })
}
