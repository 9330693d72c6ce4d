import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api, call, segment } from '../../../lib/api-client.js'
import { affectedByMessageOperations } from '../../../lib/query-keys.js'

export interface DeleteInput {
  vhost: string
  queue: string
  ids: string[]
  operationId: string
}

/** Removes dead letters; the server copies them to the archive first, so they can be restored. */
export const deleteMessages = ({ vhost, queue, ids, operationId }: DeleteInput) =>
  call(
    api.api['dead-letters'][':vhost'][':queue'].delete.$post({
      param: { vhost: segment(vhost), queue: segment(queue) },
      json: { ids, operationId },
    }),
  )

export function useDeleteMessages() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: deleteMessages,
    onSettled: () =>
      Promise.all(
        affectedByMessageOperations.map((queryKey) => queryClient.invalidateQueries({ queryKey })),
      ),
  })
}
