import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api, call, segment } from '../../../lib/api-client.js'
import { affectedByMessageOperations } from '../../../lib/query-keys.js'

export interface RequeueInput {
  vhost: string
  queue: string
  /** The messages to requeue, or `'all'` for every message in the DLQ when the request starts. */
  ids: string[] | 'all'
  operationId: string
}

/** Sends dead letters back to their original queue (through the default exchange). */
export const requeueMessages = ({ vhost, queue, ids, operationId }: RequeueInput) =>
  call(
    api.api['dead-letters'][':vhost'][':queue'].requeue.$post({
      param: { vhost: segment(vhost), queue: segment(queue) },
      json: ids === 'all' ? { all: true, operationId } : { ids, operationId },
    }),
  )

export function useRequeueMessages() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: requeueMessages,
    onSettled: () =>
      Promise.all(
        affectedByMessageOperations.map((queryKey) => queryClient.invalidateQueries({ queryKey })),
      ),
  })
}
