import { formatAbsolute, formatRelative } from '../../lib/format.js'

/** A time as "3m ago", with the date and zone beside it for whoever compares with logs. */
export function TimeCell({ value }: { value: string | null }) {
  if (!value) return <span className="muted">–</span>
  return (
    <time dateTime={value} title={formatAbsolute(value)}>
      {formatRelative(value)}
      <span className="muted small"> · {formatAbsolute(value)}</span>
    </time>
  )
}
