import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query'
import { api, call, segment } from '../../../lib/api-client.js'
import { usePollInterval } from '../../../lib/poll-interval.js'
import { queryKeys } from '../../../lib/query-keys.js'
import { compactFilter } from '../store-filter.js'
import type { StoreFilter } from '../store-filter.js'

/** A live reading reads the queue to group it: refreshed no more often than browsing is. */
const MIN_REFRESH_MS = 15_000

/**
 * The failure groups of a DLQ, largest first: of the whole store under `filter`, or of the first
 * messages a live reading takes (`complete: false`).
 */
export const getGroups = (vhost: string, queue: string, filter: StoreFilter) =>
  call(
    api.api['dead-letters'][':vhost'][':queue'].groups.$get({
      param: { vhost: segment(vhost), queue: segment(queue) },
      query: compactFilter(filter),
    }),
  )

export const groupsQueryOptions = (vhost: string, queue: string, filter: StoreFilter) =>
  queryOptions({
    queryKey: queryKeys.deadLetters.groups(vhost, queue, compactFilter(filter)),
    queryFn: () => getGroups(vhost, queue, filter),
  })

export function useGroups(vhost: string, queue: string, filter: StoreFilter) {
  const interval = usePollInterval()
  return useQuery({
    ...groupsQueryOptions(vhost, queue, filter),
    refetchInterval: interval === false ? false : Math.max(interval, MIN_REFRESH_MS),
    placeholderData: keepPreviousData,
  })
}
