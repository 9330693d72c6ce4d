import type { GroupView } from '@warren/admin-api'
import { describe, expect, it } from 'vitest'
import { alertsByQueue, ruleText } from '../alerts/rules.js'
import type { Alert } from '../alerts/rules.js'
import { incidentsOf, sinceText } from './incidents.js'

const dlq = (name: string, messages: number, inRate = 0) => ({
  vhost: '/',
  name,
  messages,
  inRate,
  feeds: [name.replace(/\.dlq$/, '')],
})
const alert = (rule: Alert['rule'], queue: string, since: string, value = 1, threshold = 0) =>
  ({ rule, vhost: '/', queue, value, threshold, since }) as Alert
const group = (key: string, errorName: string, count: number, firstSeen: string): GroupView => ({
  key,
  errorName,
  errorMessage: null,
  count,
  firstSeen,
  lastSeen: firstSeen,
  originalQueues: [],
})

describe('the incident board', () => {
  it('lists affected DLQs worst first: failure ratio, then still arriving, then depth', () => {
    const rows = incidentsOf(
      [dlq('quiet.dlq', 0), dlq('old.dlq', 900), dlq('busy.dlq', 5, 3), dlq('ratio.dlq', 2, 1)],
      [alert('dead-letter-ratio', 'ratio.dlq', '2026-12-04T10:00:00Z', 0.5, 0.05)],
      () => undefined,
    )
    expect(rows.map((r) => [r.queue, r.severity])).toEqual([
      ['ratio.dlq', 'critical'],
      ['busy.dlq', 'warning'],
      ['old.dlq', 'notice'],
    ])
  })

  it('is one row per DLQ however many rules hold for it, dated by its first alert', () => {
    const rows = incidentsOf(
      [dlq('orders.dlq', 12)],
      [
        alert('dead-letter-growth', 'orders.dlq', '2026-12-04T10:05:00Z', 12),
        alert('dead-letter-ratio', 'orders.dlq', '2026-12-04T10:02:00Z', 1, 0.05),
      ],
      () => group('g1', 'PaymentError', 12, '2026-12-04T09:00:00Z'),
    )
    expect(rows).toHaveLength(1)
    expect(rows[0]?.alerts.map((a) => a.rule)).toEqual(['dead-letter-growth', 'dead-letter-ratio'])
    expect(rows[0]?.since).toBe('2026-12-04T10:02:00Z')
    expect(rows[0]?.topError?.errorName).toBe('PaymentError')
  })

  it('dates a DLQ without alerts by the first dead letter of its top error', () => {
    const [row] = incidentsOf([dlq('a.dlq', 3)], [], () =>
      group('g', 'TypeError', 3, '2026-12-04T09:48:00Z'),
    )
    expect(sinceText(row?.since ?? null, Date.parse('2026-12-04T10:00:00Z'))).toBe('since 12 min')
  })

  it('says how long in seconds, minutes, hours and days', () => {
    const now = Date.parse('2026-12-04T10:00:00Z')
    expect(sinceText('2026-12-04T09:59:20Z', now)).toBe('since 40 s')
    expect(sinceText('2026-12-04T07:00:00Z', now)).toBe('since 3 h')
    expect(sinceText('2026-12-01T10:00:00Z', now)).toBe('since 3 days')
    expect(sinceText(null, now)).toBeNull()
  })
})

describe('alert rules in words', () => {
  it('says each threshold as the rule reads it, never "+0"', () => {
    expect(ruleText('dead-letter-growth').threshold(0)).toBe('any new dead letter')
    expect(ruleText('dead-letter-ratio').threshold(0.05)).toBe('above 5.00% of processed')
    expect(ruleText('dead-letter-age').threshold(600_000)).toBe('older than 10m')
    expect(ruleText('backlog').threshold(1000)).toBe('above 1,000 ready')
    expect(ruleText('no-consumers').threshold(0)).toBe('ready messages, no consumer')
  })

  it('folds the alerts of one queue into one entry, longest alerted first', () => {
    const entries = alertsByQueue([
      alert('backlog', 'b', '2026-12-04T10:03:00Z'),
      alert('no-consumers', 'a', '2026-12-04T10:01:00Z'),
      alert('backlog', 'a', '2026-12-04T10:02:00Z'),
    ])
    expect(entries.map((e) => [e.queue, e.alerts.length])).toEqual([
      ['a', 2],
      ['b', 1],
    ])
  })
})
