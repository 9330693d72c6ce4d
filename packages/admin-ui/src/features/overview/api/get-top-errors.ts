import type { GroupView } from '@warren/admin-api'
import { useQueries } from '@tanstack/react-query'
import { usePollInterval } from '../../../lib/poll-interval.js'
import { groupsQueryOptions } from '../../dead-letters/api/get-groups.js'

/** The board reads this many DLQs' groups at most; the fullest come first. */
const MAX_QUEUES = 20
/** Groups are counted over the whole store: a slower refresh than the counts is enough. */
const MIN_REFRESH_MS = 15_000

interface Candidate {
  vhost: string
  name: string
  messages: number
  /** Held in Warren's store; null when read live (grouping it would read the queue). */
  stored: number | null
}

const keyOf = (vhost: string, queue: string) => `${vhost}\u0000${queue}`

/**
 * The largest failure group of each stored DLQ that holds dead letters, from the groups route
 * (the whole queue, not a page). A DLQ read live is not read for the board: `undefined`.
 */
export function useTopErrors(dlqs: readonly Candidate[]) {
  const interval = usePollInterval()
  const picked = dlqs
    .filter((d) => d.messages > 0 && d.stored !== null)
    .sort((a, b) => b.messages - a.messages)
    .slice(0, MAX_QUEUES)
  const results = useQueries({
    queries: picked.map((d) => ({
      ...groupsQueryOptions(d.vhost, d.name, {}),
      refetchInterval: interval === false ? (false as const) : Math.max(interval, MIN_REFRESH_MS),
    })),
  })
  const top = new Map<string, GroupView | null>()
  picked.forEach((d, n) => {
    const data = results[n]?.data
    if (data) top.set(keyOf(d.vhost, d.name), data.items[0] ?? null)
  })
  return (vhost: string, queue: string) => top.get(keyOf(vhost, queue))
}
