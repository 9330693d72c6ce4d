import { queryOptions, useQuery } from '@tanstack/react-query'
import { api, call } from '../../../lib/api-client.js'
import { isUnauthorized } from '../../../lib/errors.js'
import { queryKeys } from '../../../lib/query-keys.js'

/** Progress of a long operation; `null` until the server has registered it. */
export async function getOperation(id: string) {
  try {
    return await call(api.api.operations[':id'].$get({ param: { id } }))
  } catch (error) {
    if (isUnauthorized(error)) throw error
    return null
  }
}

export const operationQueryOptions = (id: string) =>
  queryOptions({ queryKey: queryKeys.operation(id), queryFn: () => getOperation(id) })

/** Polls an operation's progress while `running` is true (the POST has not answered yet). */
export function useOperationProgress(id: string | null, running: boolean) {
  const query = useQuery({
    ...operationQueryOptions(id ?? 'none'),
    enabled: id !== null && running,
    refetchInterval: 400,
    retry: false,
  })
  const op = running ? query.data : null
  return op ? { done: op.done, total: op.total } : null
}
