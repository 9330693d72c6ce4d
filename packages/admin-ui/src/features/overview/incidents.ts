// The incident board's rows, as plain data: which dead-letter queues are affected, how badly,
// by what, and since when. Specified without a DOM (incidents.test.ts).
import type { GroupView } from '@warren/admin-api'
import type { Alert } from '../alerts/rules.js'

export type Severity = 'critical' | 'warning' | 'notice'

/** What the board needs of a DLQ (a row of `GET /api/dead-letters`). */
export interface DeadLetterQueueFacts {
  vhost: string
  name: string
  messages: number
  inRate: number
  feeds: readonly string[]
}

export interface Incident {
  vhost: string
  queue: string
  severity: Severity
  messages: number
  /** Dead letters arriving per second. */
  inRate: number
  /** The largest failure group over the whole queue; undefined until read, null when none. */
  topError: GroupView | null | undefined
  /** When it began: its first alert, else the first dead letter of its top error (ISO 8601). */
  since: string | null
  alerts: Alert[]
  feeds: readonly string[]
}

const RANK: Record<Severity, number> = { critical: 0, warning: 1, notice: 2 }

/**
 * Critical: dead letters above the failure ratio of what the feeding queues processed. Warning:
 * dead letters still arriving or growing, or older than the age rule. Notice: dead letters held,
 * nothing new.
 */
function severityOf(dlq: DeadLetterQueueFacts, alerts: readonly Alert[]): Severity {
  if (alerts.some((a) => a.rule === 'dead-letter-ratio')) return 'critical'
  if (alerts.length > 0 || dlq.inRate > 0) return 'warning'
  return 'notice'
}

const earliest = (times: readonly (string | null | undefined)[]): string | null =>
  times.filter((t): t is string => !!t).sort()[0] ?? null

/**
 * One row per affected DLQ (holding dead letters, receiving them, or alerted), worst first:
 * by severity, then depth. Not by inflow: a rate moves every poll and rows would jump about.
 */
export function incidentsOf(
  dlqs: readonly DeadLetterQueueFacts[],
  alerts: readonly Alert[],
  topErrorOf: (vhost: string, queue: string) => GroupView | null | undefined,
): Incident[] {
  return dlqs
    .map((dlq): Incident => {
      const own = alerts.filter((a) => a.vhost === dlq.vhost && a.queue === dlq.name)
      const topError = topErrorOf(dlq.vhost, dlq.name)
      return {
        vhost: dlq.vhost,
        queue: dlq.name,
        severity: severityOf(dlq, own),
        messages: dlq.messages,
        inRate: dlq.inRate,
        topError,
        since: earliest(own.length ? own.map((a) => a.since) : [topError?.firstSeen]),
        alerts: own,
        feeds: dlq.feeds,
      }
    })
    .filter((i) => i.messages > 0 || i.inRate > 0 || i.alerts.length > 0)
    .sort(
      (a, b) =>
        RANK[a.severity] - RANK[b.severity] ||
        b.messages - a.messages ||
        a.queue.localeCompare(b.queue),
    )
}

/** "since 12 min", "since 40 s", "since 3 h"; null when nothing tells when. */
export function sinceText(since: string | null, now: number): string | null {
  const at = since ? Date.parse(since) : NaN
  if (Number.isNaN(at)) return null
  const s = Math.max(0, Math.round((now - at) / 1000))
  if (s < 60) return `since ${s} s`
  const m = Math.floor(s / 60)
  if (m < 120) return `since ${m} min`
  const h = Math.floor(m / 60)
  return h < 48 ? `since ${h} h` : `since ${Math.floor(h / 24)} days`
}

/** Worst of the board, for its heading and the alert card's tone. */
export const worstSeverity = (incidents: readonly Incident[]): Severity | null =>
  incidents[0]?.severity ?? null
