export interface PagerProps {
  offset: number
  limit: number
  total: number
  onOffsetChange: (offset: number) => void
  label: string
}

/** Newer/older paging for lists served newest first. */
export function Pager({ offset, limit, total, onOffsetChange, label }: PagerProps) {
  const last = Math.min(total, offset + limit)
  return (
    <nav className="bulkbar" aria-label={`${label} pages`}>
      <button
        type="button"
        className="button small"
        disabled={offset === 0}
        onClick={() => onOffsetChange(Math.max(0, offset - limit))}
      >
        ← Newer
      </button>
      <span className="muted">{total === 0 ? 'None' : `${offset + 1}–${last} of ${total}`}</span>
      <button
        type="button"
        className="button small"
        disabled={last >= total}
        onClick={() => onOffsetChange(offset + limit)}
      >
        Older →
      </button>
    </nav>
  )
}
