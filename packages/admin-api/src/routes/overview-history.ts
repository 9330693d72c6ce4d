import type { DiscoveredQueue } from '../discovery/index.js'
import type { HistoryWindow, ManagementClient } from '../rabbit/management.js'
import type { ManagementOverview } from '../rabbit/management-schemas.js'
import { levelSeries, rateSeries, sumSeries } from '../rabbit/samples.js'

/** Ten minutes at 10 s steps: what the management API keeps by default, in 60 points. */
export const OVERVIEW_HISTORY: HistoryWindow = { ageSeconds: 600, incrSeconds: 10 }

/** DLQs whose publish history is read; the busiest first, so one request stays bounded. */
const MAX_DEAD_LETTER_QUEUES = 20

/** One point of the overview's history: rates per second over the step that ends at `t`. */
export interface OverviewPoint {
  /** Epoch ms. */
  t: number
  publish: number
  deliver: number
  ack: number
  redeliver: number
  deadLetter: number
  /** Messages in all queues at `t`, when the broker sampled it. */
  messages: number | null
}

/**
 * The dead-letter rate over time: the publish samples of the DLQs, added up. One management
 * request per DLQ, so the answer is reused for one step of the history (a new sample comes no
 * sooner) and the console's polling stays cheap.
 */
export function createDeadLetterHistory(management: ManagementClient, now: () => number) {
  let cached: { at: number; value: Promise<Map<number, number>> } | undefined
  return (deadLetterQueues: readonly DiscoveredQueue[]): Promise<Map<number, number>> => {
    if (cached && now() - cached.at < OVERVIEW_HISTORY.incrSeconds * 1000) return cached.value
    const busiest = [...deadLetterQueues]
      .sort((a, b) => b.rates.publish - a.rates.publish || b.messages - a.messages)
      .slice(0, MAX_DEAD_LETTER_QUEUES)
    const value = Promise.all(
      busiest.map((q) =>
        management.queue(q.vhost, q.name, OVERVIEW_HISTORY).then(
          (detail) => rateSeries(detail.message_stats?.publish_details?.samples),
          // A DLQ deleted since discovery read it has no history left to add.
          () => new Map<number, number>(),
        ),
      ),
    ).then(sumSeries)
    cached = { at: now(), value }
    value.catch(() => (cached = undefined))
    return value
  }
}

/** Joins the broker's rate and depth samples and the DLQs' publish rates by time, oldest first. */
export function overviewHistory(
  overview: ManagementOverview,
  deadLetter: ReadonlyMap<number, number>,
): OverviewPoint[] {
  const stats = overview.message_stats ?? {}
  const series = {
    publish: rateSeries(stats.publish_details?.samples),
    deliver: rateSeries(stats.deliver_get_details?.samples),
    ack: rateSeries(stats.ack_details?.samples),
    redeliver: rateSeries(stats.redeliver_details?.samples),
  }
  const messages = levelSeries(overview.queue_totals?.messages_details?.samples)
  const times = new Set<number>([...messages.keys(), ...deadLetter.keys()])
  for (const one of Object.values(series)) for (const t of one.keys()) times.add(t)
  return [...times]
    .sort((a, b) => a - b)
    .map((t) => ({
      t,
      publish: series.publish.get(t) ?? 0,
      deliver: series.deliver.get(t) ?? 0,
      ack: series.ack.get(t) ?? 0,
      redeliver: series.redeliver.get(t) ?? 0,
      deadLetter: deadLetter.get(t) ?? 0,
      messages: messages.get(t) ?? null,
    }))
}
