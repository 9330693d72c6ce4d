import { useMutation, useQueryClient } from '@tanstack/react-query'
import { call, storeApi } from '../../../lib/api-client.js'
import { queryKeys } from '../../../lib/query-keys.js'

export type ControlInput =
  | { id: string; command: 'pause' | 'resume' | 'cancel' }
  | { id: string; command: 'rate'; rate: number | null }

/** Pauses, resumes, cancels or repaces a bulk operation; answers with its view. */
export function controlOperation(input: ControlInput) {
  const param = { id: input.id }
  const operation = storeApi['bulk-operations'][':id']
  switch (input.command) {
    case 'pause':
      return call(operation.pause.$post({ param }))
    case 'resume':
      return call(operation.resume.$post({ param }))
    case 'cancel':
      return call(operation.cancel.$post({ param }))
    case 'rate':
      return call(operation.$patch({ param, json: { rate: input.rate } }))
  }
}

export function useControlOperation() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: controlOperation,
    onSuccess: (view) => {
      queryClient.setQueryData(queryKeys.bulkOperation(view.id), view)
      return queryClient.invalidateQueries({
        queryKey: queryKeys.deadLetters.operations(view.vhost, view.queue),
      })
    },
  })
}
