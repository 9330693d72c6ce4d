import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query'
import { useSyncExternalStore } from 'react'
import { api, call } from '../../../lib/api-client.js'
import { usePollInterval } from '../../../lib/poll-interval.js'
import { queryKeys } from '../../../lib/query-keys.js'
import { createSampleHistory } from '../../../lib/sample-history.js'
import type { RateName } from '../chart-history.js'

/**
 * The API's history has 10 s steps; between them the console keeps its own readings of the
 * rates "now" (the last 240), so the charts move at the poll rate.
 */
const rateHistory = createSampleHistory<RateName>(240)

/** Broker version and nodes, totals, rates, queue and dead-letter counts, active alerts. */
export async function getOverview() {
  const overview = await call(api.api.overview.$get())
  rateHistory.add({ t: Date.now(), values: overview.rates })
  return overview
}

export const overviewQueryOptions = () =>
  queryOptions({ queryKey: queryKeys.overview, queryFn: getOverview })

export function useOverview() {
  const refetchInterval = usePollInterval()
  return useQuery({ ...overviewQueryOptions(), refetchInterval, placeholderData: keepPreviousData })
}

/** The rates read since the console opened, oldest first (see `chartHistory`). */
export const useRateHistory = () =>
  useSyncExternalStore(rateHistory.subscribe, rateHistory.getSnapshot)
