import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api, call } from '../../../lib/api-client.js'
import { queryKeys } from '../../../lib/query-keys.js'

export const login = (token: string) => call(api.api.session.$post({ json: { token } }))

export function useLogin() {
  const queryClient = useQueryClient()
  return useMutation({
    mutationFn: login,
    onSuccess: async () => {
      // Everything cached belonged to no one (or someone else): start clean.
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== queryKeys.session[0] })
      await queryClient.invalidateQueries({ queryKey: queryKeys.session })
    },
  })
}
