import { useMutation, useQueryClient } from '@tanstack/react-query'
import { api, call } from '../../../lib/api-client.js'
import { queryKeys } from '../../../lib/query-keys.js'

/** A token (automation, the start link) or a RabbitMQ user's name and password. */
export type Credentials = string | { username: string; password: string }

export const login = (credentials: Credentials) =>
  call(
    api.api.session.$post({
      json: typeof credentials === 'string' ? { token: credentials } : credentials,
    }),
  )

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
