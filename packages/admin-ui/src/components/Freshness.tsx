import { describeError } from '../lib/errors.js'
import { formatAge, formatTime } from '../lib/format.js'
import { useNow } from '../lib/use-now.js'

/** What the freshness of a screen is read from: a react-query result. */
export interface FreshnessSource {
  dataUpdatedAt: number
  isError: boolean
  error: unknown
}

/** The last answer is kept on screen while the API fails: its values are then stale. */
export const isStale = (source: FreshnessSource): boolean =>
  source.isError && source.dataUpdatedAt > 0

/**
 * "Updated 4 s ago"; while the admin API fails, how old the greyed values on screen are and why
 * they stopped moving.
 */
export function Freshness({ source }: { source: FreshnessSource }) {
  const now = useNow()
  if (source.dataUpdatedAt === 0) return null
  const age = formatAge(now - source.dataUpdatedAt)
  if (isStale(source)) {
    return (
      <p className="freshness stale-note" role="status" data-testid="freshness">
        Stale: not updated since {formatTime(source.dataUpdatedAt)} ({age} ago). The values shown
        are frozen until the admin API answers again ({describeError(source.error)}).
      </p>
    )
  }
  return (
    <p className="freshness muted" data-testid="freshness">
      Updated {age} ago
    </p>
  )
}
