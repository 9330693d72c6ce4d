import { MAX_PAGE_SIZE } from './queue-list-query.js'
import { formatCount } from '../../lib/format.js'

/** Page sizes offered; the server serves at most {@link MAX_PAGE_SIZE}. */
const PAGE_SIZES = [25, 50, 100, 250, MAX_PAGE_SIZE]

export interface QueuePagerProps {
  page: number
  pageSize: number
  /** Queues that match, as the server counted them. */
  total: number
  onChange: (patch: { page: number; pageSize?: number }) => void
}

/** Previous/next pages of the queue list, where this page sits in the total, and the page size. */
export function QueuePager({ page, pageSize, total, onChange }: QueuePagerProps) {
  const pages = Math.max(1, Math.ceil(total / pageSize))
  const first = (page - 1) * pageSize + 1
  const last = Math.min(total, page * pageSize)
  return (
    <nav className="bulkbar" aria-label="Queue pages" data-testid="queue-pager">
      <button
        type="button"
        className="button small"
        disabled={page <= 1}
        onClick={() => onChange({ page: Math.min(page - 1, pages) })}
      >
        ← Previous
      </button>
      <span className="muted" data-testid="queue-range" aria-live="polite">
        {total === 0 || first > total
          ? `None of ${formatCount(total)}`
          : `${formatCount(first)}–${formatCount(last)} of ${formatCount(total)}`}
      </span>
      <button
        type="button"
        className="button small"
        disabled={page >= pages}
        onClick={() => onChange({ page: page + 1 })}
      >
        Next →
      </button>
      <label className="field">
        <span>Per page</span>
        <select
          aria-label="Queues per page"
          value={pageSize}
          onChange={(e) => onChange({ page: 1, pageSize: Number(e.target.value) })}
        >
          {(PAGE_SIZES.includes(pageSize)
            ? PAGE_SIZES
            : [...PAGE_SIZES, pageSize].sort((a, b) => a - b)
          ).map((size) => (
            <option key={size} value={size}>
              {size}
            </option>
          ))}
        </select>
      </label>
    </nav>
  )
}
