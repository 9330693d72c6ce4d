import type { ReactNode } from 'react'
import { describeError } from '../lib/errors.js'

export function ErrorNotice({ error, title }: { error: unknown; title?: string }) {
  return (
    <div role="alert" className="notice error">
      {title ? <strong>{title}: </strong> : null}
      {describeError(error)}
    </div>
  )
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="muted" role="status">
      {label}
    </p>
  )
}
