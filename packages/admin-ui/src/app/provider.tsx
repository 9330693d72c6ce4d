import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query'
import type { ReactNode } from 'react'
import { useState } from 'react'
import { isUnauthorized } from '../lib/errors.js'
import { PollIntervalProvider } from '../lib/poll-interval.js'
import { queryKeys } from '../lib/query-keys.js'

function createQueryClient(): QueryClient {
  // A 401 anywhere means the session ended (expired, logged out elsewhere): ask who we are again,
  // which brings the login screen back.
  const onError = (error: unknown) => {
    if (isUnauthorized(error)) void client.invalidateQueries({ queryKey: queryKeys.session })
  }
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        retry: (failures, error) => !isUnauthorized(error) && failures < 2,
        refetchOnWindowFocus: false,
      },
    },
  })
  return client
}

export function AppProvider({ children }: { children: ReactNode }) {
  const [client] = useState(createQueryClient)
  return (
    <QueryClientProvider client={client}>
      <PollIntervalProvider>{children}</PollIntervalProvider>
    </QueryClientProvider>
  )
}
