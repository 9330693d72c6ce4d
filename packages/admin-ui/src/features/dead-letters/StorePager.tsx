import { formatCount } from '../../lib/format.js'

export const PAGE_SIZES = [50, 100, 250, 500]

export interface StorePagerProps {
  offset: number
  limit: number
  total: number
  onOffsetChange: (offset: number) => void
  onLimitChange: (limit: number) => void
}

/** Pages through a stored queue at any depth: first, previous, next, last, and the page size. */
export function StorePager({
  offset,
  limit,
  total,
  onOffsetChange,
  onLimitChange,
}: StorePagerProps) {
  const last = Math.min(total, offset + limit)
  const lastPage = Math.max(0, Math.floor((total - 1) / limit) * limit)
  return (
    <nav className="bulkbar" aria-label="Dead letter pages" data-testid="store-pager">
      <button
        type="button"
        className="button small"
        disabled={offset === 0}
        onClick={() => onOffsetChange(0)}
      >
        First
      </button>
      <button
        type="button"
        className="button small"
        disabled={offset === 0}
        onClick={() => onOffsetChange(Math.max(0, offset - limit))}
      >
        ← Previous
      </button>
      <span className="muted" data-testid="page-range">
        {total === 0
          ? 'None'
          : `${formatCount(offset + 1)}–${formatCount(last)} of ${formatCount(total)}`}
      </span>
      <button
        type="button"
        className="button small"
        disabled={last >= total}
        onClick={() => onOffsetChange(offset + limit)}
      >
        Next →
      </button>
      <button
        type="button"
        className="button small"
        disabled={last >= total}
        onClick={() => onOffsetChange(lastPage)}
      >
        Last
      </button>
      <label className="inline-field">
        <span>Per page</span>
        <select value={limit} onChange={(event) => onLimitChange(Number(event.target.value))}>
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
      </label>
    </nav>
  )
}
