import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query'
import type { QueueListQuery } from '@warren/admin-api/queues-query'
import { api, call } from '../../../lib/api-client.js'
import { usePollInterval } from '../../../lib/poll-interval.js'
import { queryKeys } from '../../../lib/query-keys.js'

/** One page of queues, filtered, sorted and counted by the server. */
export const getQueues = (query: QueueListQuery) =>
  call(
    api.api.queues.$get({
      query: {
        ...(query.vhost ? { vhost: query.vhost } : {}),
        ...(query.search ? { search: query.search } : {}),
        ...(query.role ? { role: query.role } : {}),
        sort: query.sort,
        order: query.order,
        page: String(query.page),
        pageSize: String(query.pageSize),
      },
    }),
  )

export const queuesQueryOptions = (query: QueueListQuery) =>
  queryOptions({ queryKey: queryKeys.queues.list(query), queryFn: () => getQueues(query) })

export function useQueues(query: QueueListQuery) {
  const refetchInterval = usePollInterval()
  return useQuery({
    ...queuesQueryOptions(query),
    refetchInterval,
    placeholderData: keepPreviousData,
  })
}
