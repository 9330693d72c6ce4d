import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query'
import { api, call } from '../../../lib/api-client.js'
import { usePollInterval } from '../../../lib/poll-interval.js'
import { queryKeys } from '../../../lib/query-keys.js'

export interface ArchiveParams {
  vhost: string
  /** One dead-letter queue, or every one of the vhost when empty. */
  queue: string
  limit: number
  offset: number
}

/** Messages deleted or purged from a vhost's dead-letter queues, newest first. */
export const getArchive = ({ vhost, queue, limit, offset }: ArchiveParams) =>
  call(
    api.api.archive.$get({
      query: { vhost, limit: String(limit), offset: String(offset), ...(queue ? { queue } : {}) },
    }),
  )

export const archiveQueryOptions = (params: ArchiveParams) =>
  queryOptions({ queryKey: queryKeys.archive.list(params), queryFn: () => getArchive(params) })

export function useArchive(params: ArchiveParams) {
  const refetchInterval = usePollInterval()
  return useQuery({
    ...archiveQueryOptions(params),
    refetchInterval,
    placeholderData: keepPreviousData,
  })
}
