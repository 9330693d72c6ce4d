import { useMutation, useQueryClient } from '@tanstack/react-query'
import { call, segment, storeApi } from '../../../lib/api-client.js'
import type { JsonValue } from '@warren/admin-api'
import { affectedByMessageOperations } from '../../../lib/query-keys.js'

export interface RetryInput {
  vhost: string
  queue: string
  id: string
  /** The edited body, as text. */
  payload: string
  /** Header changes: a value sets, null removes; the others stay. */
  headers?: Record<string, JsonValue> | undefined
  /** Instead of the original queue. */
  target?: string | undefined
}

/** Sends an edited copy of a stored dead letter; the original is archived. */
export const retryMessage = ({ vhost, queue, id, payload, headers, target }: RetryInput) =>
  call(
    storeApi['dead-letters'][':vhost'][':queue'].messages[':id'].retry.$post({
      param: { vhost: segment(vhost), queue: segment(queue), id },
      json: { payload, ...(headers ? { headers } : {}), ...(target ? { target } : {}) },
    }),
  )

export function useRetryMessage() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: retryMessage,
    onSuccess: () =>
      Promise.all(
        affectedByMessageOperations.map((queryKey) => queryClient.invalidateQueries({ queryKey })),
      ),
  })
}
