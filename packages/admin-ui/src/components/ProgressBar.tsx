export interface ProgressBarProps {
  label: string
  /** Unknown progress shows an indeterminate bar. */
  progress: { done: number; total: number } | null
}

export function ProgressBar({ label, progress }: ProgressBarProps) {
  const known = progress !== null && progress.total > 0
  return (
    <div className="progress" data-testid="progress">
      <progress
        aria-label={label}
        {...(known ? { max: progress.total, value: progress.done } : {})}
      />
      <span className="muted">{known ? `${progress.done} of ${progress.total}` : 'Working…'}</span>
    </div>
  )
}
