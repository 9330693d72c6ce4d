import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api, call } from '../../../lib/api-client.js'
import { affectedByMessageOperations } from '../../../lib/query-keys.js'

export interface RestoreInput {
  /** Archive ids (`<vhost>:<offset>`): each names its vhost, so one request may span several. */
  ids: string[]
  operationId: string
}

/** Puts archived messages back into the dead-letter queue they were removed from. */
export const restoreMessages = ({ ids, operationId }: RestoreInput) =>
  call(api.api.archive.restore.$post({ json: { ids, operationId } }))

export function useRestoreMessages() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: restoreMessages,
    onSettled: () =>
      Promise.all(
        affectedByMessageOperations.map((queryKey) => queryClient.invalidateQueries({ queryKey })),
      ),
  })
}
