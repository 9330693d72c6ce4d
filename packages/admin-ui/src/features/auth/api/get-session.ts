import { queryOptions, useQuery } from '@tanstack/react-query'
import { api, call } from '../../../lib/api-client.js'
import { isUnauthorized } from '../../../lib/errors.js'
import { queryKeys } from '../../../lib/query-keys.js'

/** Who is logged in, or `null` when there is no valid session (the login screen shows). */
export async function getSession() {
  try {
    return await call(api.api.session.$get())
  } catch (error) {
    if (isUnauthorized(error)) return null
    throw error
  }
}

export const sessionQueryOptions = () =>
  queryOptions({ queryKey: queryKeys.session, queryFn: getSession, staleTime: 60_000 })

export const useSession = () => useQuery(sessionQueryOptions())
