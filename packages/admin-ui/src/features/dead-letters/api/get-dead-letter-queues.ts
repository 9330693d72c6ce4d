import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query'
import { api, call } from '../../../lib/api-client.js'
import { usePollInterval } from '../../../lib/poll-interval.js'
import { queryKeys } from '../../../lib/query-keys.js'

/** Every dead-letter queue with its count, oldest age and the queues that feed it. */
export const getDeadLetterQueues = () => call(api.api['dead-letters'].$get({ query: {} }))

export const deadLetterQueuesQueryOptions = () =>
  queryOptions({ queryKey: queryKeys.deadLetters.list(), queryFn: getDeadLetterQueues })

export function useDeadLetterQueues() {
  const refetchInterval = usePollInterval()
  return useQuery({
    ...deadLetterQueuesQueryOptions(),
    refetchInterval,
    placeholderData: keepPreviousData,
  })
}
