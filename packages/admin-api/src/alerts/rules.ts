import type { DiscoveredQueue, Topology } from '../discovery/index.js'
import type { Alert, AlertThresholds } from './types.js'

/** What a rule remembers of a queue at one moment. */
export interface QueueSample {
  messages: number
  published: number
  acked: number
}

/** Queue samples at one moment, keyed by `vhost \0 name`. */
export interface Snapshot {
  at: number
  queues: Map<string, QueueSample>
}

export const queueKey = (vhost: string, name: string) => `${vhost}\u0000${name}`

export function snapshotOf(topology: Topology): Snapshot {
  const queues = new Map<string, QueueSample>()
  for (const q of topology.queues) {
    queues.set(queueKey(q.vhost, q.name), {
      messages: q.messages,
      published: q.totals.published,
      acked: q.totals.acked,
    })
  }
  return { at: topology.at, queues }
}

type Candidate = Omit<Alert, 'since'>

const watched = (q: DiscoveredQueue) =>
  (q.role === 'work' || q.role === 'other') && q.type !== 'stream' && !q.name.startsWith('amq.')

/** A queue's sample at the start of the window, by `queueKey`; undefined while there is none. */
export type Baseline = (key: string) => QueueSample | undefined

/** The baseline from one snapshot. */
export const baselineOf =
  (snapshot: Snapshot | undefined): Baseline =>
  (key) =>
    snapshot?.queues.get(key)

/**
 * The alerts that hold for `topology`. Ratio and growth compare each queue against its sample at
 * the start of the window (`baseline`).
 */
export function evaluateRules(
  topology: Topology,
  baseline: Baseline,
  t: AlertThresholds,
): Candidate[] {
  const alerts: Candidate[] = []
  const byKey = new Map(topology.queues.map((q) => [queueKey(q.vhost, q.name), q]))
  for (const q of topology.queues) {
    const at = { vhost: q.vhost, queue: q.name }
    if (watched(q) && q.ready > t.backlog) {
      alerts.push({ rule: 'backlog', ...at, value: q.ready, threshold: t.backlog })
    }
    if (watched(q) && q.ready > 0 && q.consumers === 0) {
      alerts.push({ rule: 'no-consumers', ...at, value: q.ready, threshold: 0 })
    }
    if (q.role !== 'dead-letter') continue
    if (q.oldestAgeMs !== null && q.oldestAgeMs > t.deadLetterAgeMs) {
      alerts.push({
        rule: 'dead-letter-age',
        ...at,
        value: q.oldestAgeMs,
        threshold: t.deadLetterAgeMs,
      })
    }
    const before = baseline(queueKey(q.vhost, q.name))
    if (!before) continue
    if (q.messages > before.messages) {
      alerts.push({
        rule: 'dead-letter-growth',
        ...at,
        value: q.messages - before.messages,
        threshold: 0,
      })
    }
    // Dead letters that arrived in the window per message the feeding queues processed. What
    // clients publish into the DLQ (the SDK does) counts in its publish counter; what the broker
    // dead-letters itself (TTL, delivery limit, max length) shows only in its depth.
    const dead = Math.max(q.totals.published - before.published, q.messages - before.messages)
    if (dead <= 0) continue
    let processed = 0
    for (const feed of q.feeds) {
      const now = byKey.get(queueKey(q.vhost, feed))
      const then = baseline(queueKey(q.vhost, feed))
      if (now && then) processed += Math.max(0, now.totals.acked - then.acked)
    }
    const ratio = dead / Math.max(processed, dead)
    if (ratio > t.failureRatio) {
      alerts.push({
        rule: 'dead-letter-ratio',
        ...at,
        value: Math.round(ratio * 10_000) / 10_000,
        threshold: t.failureRatio,
      })
    }
  }
  return alerts
}
