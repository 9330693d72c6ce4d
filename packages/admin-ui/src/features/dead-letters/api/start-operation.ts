import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { call, segment, storeApi } from '../../../lib/api-client.js'
import { affectedByMessageOperations, queryKeys } from '../../../lib/query-keys.js'
import { compactFilter } from '../store-filter.js'
import type { Selection } from '../store-filter.js'

export type BulkAction = 'requeue' | 'delete' | 'move'

export interface BulkInput {
  vhost: string
  queue: string
  action: BulkAction
  selection: Selection
  /** `move`: where to; `requeue`: instead of each message's original queue. */
  target?: string | undefined
  /** Messages per second; undefined: as fast as the broker confirms. */
  rate?: number | undefined
}

const endpoint = () => storeApi['dead-letters'][':vhost'][':queue'].operations
type BulkJson = Parameters<ReturnType<typeof endpoint>['$post']>[0]['json']

// The route's validator tells the typed client the parsed shape, where `from` and `to` are
// already epoch numbers; the wire carries the ISO strings the schema parses.
const body = ({ action, selection, target, rate }: BulkInput): BulkJson =>
  ({
    action,
    selection: 'ids' in selection ? selection : { filter: compactFilter(selection.filter) },
    ...(target ? { target } : {}),
    ...(rate ? { rate } : {}),
  }) as BulkJson

/** Counts what a bulk action would take now, and where a requeue would send it; changes nothing. */
export async function dryRunOperation(input: BulkInput) {
  const result = await call(
    endpoint().$post({
      param: { vhost: segment(input.vhost), queue: segment(input.queue) },
      json: { ...body(input), dryRun: true },
    }),
  )
  // The route answers a dry run with 200 and a started operation with 202: one body each.
  if (!('matched' in result)) throw new Error('the dry run started an operation')
  return result
}

/** Starts a bulk action; it runs on the server, paced, and is followed with `useBulkOperation`. */
export async function startOperation(input: BulkInput) {
  const result = await call(
    endpoint().$post({
      param: { vhost: segment(input.vhost), queue: segment(input.queue) },
      json: body(input),
    }),
  )
  if (!('id' in result)) throw new Error('the operation was not started')
  return result
}

/** A dry run changes nothing, so it is a query: it runs again when the action or target changes. */
export const dryRunQueryOptions = (input: BulkInput) =>
  queryOptions({
    queryKey: queryKeys.dryRun(input.vhost, input.queue, body(input)),
    queryFn: () => dryRunOperation(input),
    staleTime: 0,
    retry: false,
  })

export function useDryRun(input: BulkInput, enabled: boolean) {
  return useQuery({ ...dryRunQueryOptions(input), enabled })
}

export function useStartOperation() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: startOperation,
    onSettled: () =>
      Promise.all(
        affectedByMessageOperations.map((queryKey) => queryClient.invalidateQueries({ queryKey })),
      ),
  })
}
