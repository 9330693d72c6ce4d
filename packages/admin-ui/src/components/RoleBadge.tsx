const LABELS: Record<string, string> = {
  work: 'work',
  retry: 'retry',
  'dead-letter': 'dead letter',
  other: 'other',
}

/** The role the admin API found for a queue: work, retry tier, dead-letter queue or other. */
export function RoleBadge({ role }: { role: string }) {
  return (
    <span className={`badge role-${role}`} data-testid="role-badge">
      {LABELS[role] ?? role}
    </span>
  )
}
