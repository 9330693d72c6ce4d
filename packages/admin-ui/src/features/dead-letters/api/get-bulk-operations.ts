import { queryOptions, useQuery } from '@tanstack/react-query'
import { call, segment, storeApi } from '../../../lib/api-client.js'
import { queryKeys } from '../../../lib/query-keys.js'

/** How often a running operation's progress is asked for. */
const PROGRESS_MS = 1000
/** The list of the queue's operations, when none is running. */
const LIST_MS = 10_000

export const ACTIVE = new Set(['pending', 'running', 'paused'])

/** The bulk operations of one queue, newest first: the running one survives a reload here. */
export const getBulkOperations = (vhost: string, queue: string) =>
  call(
    storeApi['dead-letters'][':vhost'][':queue'].operations.$get({
      param: { vhost: segment(vhost), queue: segment(queue) },
    }),
  )

export const bulkOperationsQueryOptions = (vhost: string, queue: string) =>
  queryOptions({
    queryKey: queryKeys.deadLetters.operations(vhost, queue),
    queryFn: () => getBulkOperations(vhost, queue),
  })

export function useBulkOperations(vhost: string, queue: string) {
  return useQuery({
    ...bulkOperationsQueryOptions(vhost, queue),
    refetchInterval: (query) =>
      query.state.data?.items.some((op) => ACTIVE.has(op.status)) ? PROGRESS_MS : LIST_MS,
  })
}

/** One bulk operation's progress. */
export const getBulkOperation = (id: string) =>
  call(storeApi['bulk-operations'][':id'].$get({ param: { id } }))

export const bulkOperationQueryOptions = (id: string) =>
  queryOptions({ queryKey: queryKeys.bulkOperation(id), queryFn: () => getBulkOperation(id) })

/** Polled every second until the operation has finished. */
export function useBulkOperation(id: string) {
  return useQuery({
    ...bulkOperationQueryOptions(id),
    refetchInterval: (query) =>
      query.state.data && !ACTIVE.has(query.state.data.status) ? false : PROGRESS_MS,
  })
}
