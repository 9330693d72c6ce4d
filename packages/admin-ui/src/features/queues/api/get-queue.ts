import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query'
import { api, call, segment } from '../../../lib/api-client.js'
import { usePollInterval } from '../../../lib/poll-interval.js'
import { queryKeys } from '../../../lib/query-keys.js'

/** Seconds of depth and rate history to chart. */
const HISTORY_SECONDS = 600

/** One queue, its links and its depth and rate history. */
export const getQueue = (vhost: string, name: string) =>
  call(
    api.api.queues[':vhost'][':name'].$get({
      param: { vhost: segment(vhost), name: segment(name) },
      query: { range: String(HISTORY_SECONDS) },
    }),
  )

export const queueQueryOptions = (vhost: string, name: string) =>
  queryOptions({
    queryKey: queryKeys.queues.detail(vhost, name),
    queryFn: () => getQueue(vhost, name),
  })

export function useQueue(vhost: string, name: string) {
  const refetchInterval = usePollInterval()
  return useQuery({
    ...queueQueryOptions(vhost, name),
    refetchInterval,
    placeholderData: keepPreviousData,
  })
}
