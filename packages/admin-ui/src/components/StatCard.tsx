import type { ReactNode } from 'react'

export interface StatCardProps {
  label: string
  value: ReactNode
  hint?: ReactNode
  tone?: 'default' | 'warn' | 'danger'
  testId?: string
}

export function StatCard({ label, value, hint, tone = 'default', testId }: StatCardProps) {
  return (
    <div className={`stat ${tone}`} data-testid={testId}>
      <div className="stat-label">{label}</div>
      <div className="stat-value">{value}</div>
      {hint ? <div className="stat-hint">{hint}</div> : null}
    </div>
  )
}
