import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api, call, segment } from '../../../lib/api-client.js'
import { affectedByMessageOperations } from '../../../lib/query-keys.js'

export interface PurgeInput {
  vhost: string
  queue: string
  /** The queue name as the operator typed it: the server refuses a mismatch too. */
  confirm: string
  operationId: string
}

/** Empties a dead-letter queue (archived first, restorable). */
export const purgeQueue = ({ vhost, queue, confirm, operationId }: PurgeInput) =>
  call(
    api.api['dead-letters'][':vhost'][':queue'].purge.$post({
      param: { vhost: segment(vhost), queue: segment(queue) },
      json: { confirm, operationId },
    }),
  )

export function usePurgeQueue() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: purgeQueue,
    onSettled: () =>
      Promise.all(
        affectedByMessageOperations.map((queryKey) => queryClient.invalidateQueries({ queryKey })),
      ),
  })
}
