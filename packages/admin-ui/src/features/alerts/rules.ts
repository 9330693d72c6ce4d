import { formatAge, formatCount } from '../../lib/format.js'
import type { getOverview } from '../overview/api/get-overview.js'

export type Alert = Awaited<ReturnType<typeof getOverview>>['alerts'][number]

interface RuleText {
  label: string
  /** The measured value as the rule reads it. */
  value: (value: number) => string
  /** The condition, as the rule says it: "above 5%", "any growth". */
  threshold: (threshold: number) => string
}

const percent = (v: number) => `${(v * 100).toFixed(v < 0.1 ? 2 : 1)}%`

const RULES: Record<string, RuleText> = {
  'dead-letter-ratio': {
    label: 'Dead-letter ratio',
    value: percent,
    threshold: (t) => `above ${percent(t)} of processed`,
  },
  backlog: {
    label: 'Backlog',
    value: (v) => `${formatCount(v)} ready`,
    threshold: (t) => `above ${formatCount(t)} ready`,
  },
  'dead-letter-growth': {
    label: 'Dead letters growing',
    value: (v) => `+${formatCount(v)}`,
    threshold: (t) => (t === 0 ? 'any new dead letter' : `more than ${formatCount(t)} new`),
  },
  'dead-letter-age': {
    label: 'Old dead letter',
    value: formatAge,
    threshold: (t) => `older than ${formatAge(t)}`,
  },
  'no-consumers': {
    label: 'No consumers',
    value: (v) => `${formatCount(v)} ready`,
    threshold: () => 'ready messages, no consumer',
  },
}

/** How the console words a rule; an unknown rule keeps its name. */
export const ruleText = (rule: string): RuleText =>
  RULES[rule] ?? { label: rule, value: formatCount, threshold: (t) => `above ${formatCount(t)}` }

/** The alerts of one queue, in the order they began. */
export interface QueueAlerts {
  vhost: string
  queue: string
  alerts: Alert[]
  /** When its first alert began (ISO 8601). */
  since: string
}

/** One entry per queue, the queue alerted longest first: a queue with two rules is one row. */
export function alertsByQueue(alerts: readonly Alert[]): QueueAlerts[] {
  const byQueue = new Map<string, QueueAlerts>()
  for (const alert of [...alerts].sort((a, b) => a.since.localeCompare(b.since))) {
    const key = `${alert.vhost}\u0000${alert.queue}`
    const entry = byQueue.get(key)
    if (entry) entry.alerts.push(alert)
    else
      byQueue.set(key, {
        vhost: alert.vhost,
        queue: alert.queue,
        alerts: [alert],
        since: alert.since,
      })
  }
  return [...byQueue.values()]
}
