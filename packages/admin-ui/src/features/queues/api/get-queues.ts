import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query'
import { api, call } from '../../../lib/api-client.js'
import { usePollInterval } from '../../../lib/poll-interval.js'
import { queryKeys } from '../../../lib/query-keys.js'

/** The API's largest page. */
const PAGE_SIZE = 500
/** A broker with more queues than this is searched server-side, not listed whole. */
const MAX_PAGES = 20

/** Every queue with its role and links (page after page); the table filters and sorts locally. */
export async function getQueues() {
  const query = { sort: 'name', order: 'asc', pageSize: String(PAGE_SIZE) } as const
  const first = await call(api.api.queues.$get({ query: { ...query, page: '1' } }))
  const items = [...first.items]
  for (let page = 2; items.length < first.total && page <= MAX_PAGES; page++) {
    const next = await call(api.api.queues.$get({ query: { ...query, page: String(page) } }))
    if (next.items.length === 0) break
    items.push(...next.items)
  }
  return { total: first.total, items }
}

export const queuesQueryOptions = () =>
  queryOptions({ queryKey: queryKeys.queues.list(), queryFn: getQueues })

export function useQueues() {
  const refetchInterval = usePollInterval()
  return useQuery({ ...queuesQueryOptions(), refetchInterval, placeholderData: keepPreviousData })
}
