import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api, call } from '../../../lib/api-client.js'
import { queryKeys } from '../../../lib/query-keys.js'

export const logout = () => call(api.api.session.$delete())

export function useLogout() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: logout,
    onSettled: () => {
      // Keep the session query (the login gate observes it) and drop everything the session saw.
      queryClient.setQueryData(queryKeys.session, null)
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== queryKeys.session[0] })
    },
  })
}
