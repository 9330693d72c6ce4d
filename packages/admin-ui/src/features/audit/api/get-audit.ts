import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query'
import { api, call } from '../../../lib/api-client.js'
import { usePollInterval } from '../../../lib/poll-interval.js'
import { queryKeys } from '../../../lib/query-keys.js'

export interface AuditParams {
  limit: number
  offset: number
}

/** Who did what to which messages, newest first. */
export const getAudit = ({ limit, offset }: AuditParams) =>
  call(api.api.audit.$get({ query: { limit: String(limit), offset: String(offset) } }))

export const auditQueryOptions = (params: AuditParams) =>
  queryOptions({ queryKey: queryKeys.audit.list(params), queryFn: () => getAudit(params) })

export function useAudit(params: AuditParams) {
  const refetchInterval = usePollInterval()
  return useQuery({
    ...auditQueryOptions(params),
    refetchInterval,
    placeholderData: keepPreviousData,
  })
}
