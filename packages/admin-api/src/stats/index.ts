// Counts and rates where the management API keeps none: RabbitMQ 4.x with
// `deprecated_features.permit.management_metrics_collection = false` (RabbitMQ's announced
// direction) or `management.disable_stats`. The broker says so itself (`disable_stats: true` in
// its overview, no counts in its queues); the admin API then asks each queue's depth and
// consumers with a passive declare, reads unacked messages and message counters from the
// Prometheus plugin, keeps its own ten minutes of readings, and hands all of it on in the
// management API's own shape, so discovery, the queue views, the overview and the alerts read
// the same fields either way.
import type { AmqpPool } from '../rabbit/amqp.js'
import type { HistoryWindow, ManagementClient } from '../rabbit/management.js'
import type { ManagementOverview, ManagementQueue } from '../rabbit/management-schemas.js'
import type { MetricsReading, PrometheusClient, QueueMetrics } from '../rabbit/prometheus.js'
import type { Logger } from '../security/logger.js'
import { declaredCounts, type DeclaredCounts } from './depths.js'

export type { DeclaredCounts } from './depths.js'
import { MetricsHistory, type Figure } from './history.js'

/** Options of {@link withBrokerStats}. */
export interface BrokerStatsOptions {
  prometheus: PrometheusClient
  /** Where passive declares go. */
  pool: AmqpPool
  /** The vhosts watched; the Prometheus readings cover only these. @default every vhost */
  vhosts?: readonly string[] | undefined
  log: Logger
  /** @default Date.now */
  now?: () => number
  /** How often Prometheus is read in the background once the broker keeps no statistics. @default 10000 */
  intervalMs?: number
}

/**
 * Where the figures come from: the management API's own statistics, or (a broker without them)
 * passive declares and the Prometheus plugin, with history only since `since` (epoch ms of this
 * API's first reading; null before it), as nothing kept the broker's past.
 */
export type BrokerStatistics =
  { source: 'management' } | { source: 'prometheus'; since: number | null }

/** A management client that fills in what a broker without statistics leaves out. */
export interface StatsAwareManagement extends ManagementClient {
  /** Where the figures come from, as far as the last answer of the broker says. */
  statistics(): BrokerStatistics
  /**
   * Every queue (of one vhost when given) with the figures the broker lists: on a broker without
   * statistics those of the last Prometheus reading, without a declare of any queue.
   */
  listedQueues(vhost?: string): Promise<ManagementQueue[]>
  /**
   * Each of `queues`' depth and consumers as a passive declare answers them now, by
   * {@link queueId}; empty on a broker that keeps statistics (its lists are exact already).
   */
  declaredCounts(
    queues: readonly Pick<ManagementQueue, 'vhost' | 'name' | 'type'>[],
  ): Promise<Map<string, DeclaredCounts>>
  /** Stops the background readings. */
  close(): void
}

/** A reading younger than this answers a request instead of a new one. */
const FRESH_MS = 2_000

/** The key of a queue in the maps here: names are unique per vhost only. */
export const queueId = (vhost: string, name: string) => `${vhost}\u0000${name}`
const key = queueId
const sum = (reading: MetricsReading, figure: keyof QueueMetrics) => {
  let total = 0
  for (const metrics of reading.queues.values()) total += metrics[figure]
  return total
}

/**
 * Wraps `client` so that, on a broker without statistics, queues carry `messages`,
 * `messages_ready`, `messages_unacknowledged`, `consumers` and `message_stats`, one queue its
 * samples, and the overview its `message_stats` and depth samples. On any other broker it only
 * passes answers through.
 */
export function withBrokerStats(
  client: ManagementClient,
  options: BrokerStatsOptions,
): StatsAwareManagement {
  const now = options.now ?? Date.now
  const history = new MetricsHistory()
  let reading: Promise<void> | undefined
  let timer: ReturnType<typeof setInterval> | undefined
  let warned = false
  let disabled = false
  let firstReadingAt: number | null = null

  /** A reading at most {@link FRESH_MS} old; none when the plugin cannot be read. */
  async function fresh(): Promise<MetricsReading | undefined> {
    const latest = history.latest()
    if (latest && now() - latest.t < FRESH_MS) return latest.reading
    reading ??= options.prometheus
      .read(options.vhosts)
      .then((value) => {
        const t = now()
        firstReadingAt ??= t
        history.add({ t, reading: value })
        warned = false
      })
      .catch((error: unknown) => {
        // Depths still come from passive declares; only rates go missing.
        if (!warned) options.log.warn('prometheus plugin unreadable: rates shown as 0', { error })
        warned = true
      })
      .finally(() => (reading = undefined))
    await reading
    return history.latest()?.reading
  }

  function startReadings() {
    disabled = true
    if (timer) return
    timer = setInterval(() => void fresh(), options.intervalMs ?? 10_000)
    timer.unref()
  }

  const rateOf = (figure: Figure) => ({ rate: history.rate(figure) })
  const detailsOf = (figure: Figure, window: HistoryWindow | undefined) => ({
    ...rateOf(figure),
    ...(window ? { samples: history.samples(figure, window) } : {}),
  })

  function fill(
    queue: ManagementQueue,
    metrics: QueueMetrics | undefined,
    declared: DeclaredCounts | undefined,
    window?: HistoryWindow,
  ): ManagementQueue {
    const id = key(queue.vhost, queue.name)
    const of =
      (figure: keyof QueueMetrics): Figure =>
      (r) =>
        r.queues.get(id)?.[figure]
    const unacked = metrics?.unacked ?? 0
    // A stream's "depth" is what the plugin counts; a declare answers 0 for it.
    const ready = queue.type === 'stream' ? undefined : declared?.ready
    return {
      ...queue,
      messages: ready === undefined ? (metrics?.messages ?? 0) : ready + unacked,
      messages_ready: ready ?? metrics?.ready ?? 0,
      messages_unacknowledged: unacked,
      consumers: declared?.consumers ?? metrics?.consumers ?? 0,
      head_message_timestamp: metrics?.headTimestamp ? metrics.headTimestamp : null,
      message_stats: {
        publish: metrics?.published ?? 0,
        publish_details: detailsOf(of('published'), window),
        deliver_get: metrics?.delivered ?? 0,
        deliver_get_details: detailsOf(of('delivered'), window),
        ack: metrics?.acked ?? 0,
        ack_details: detailsOf(of('acked'), window),
        redeliver: metrics?.redelivered ?? 0,
        redeliver_details: detailsOf(of('redelivered'), window),
      },
      ...(window
        ? {
            messages_details: detailsOf(of('messages'), window),
            messages_ready_details: detailsOf(of('ready'), window),
            messages_unacknowledged_details: detailsOf(of('unacked'), window),
          }
        : {}),
    }
  }

  async function countsOf(queues: readonly Pick<ManagementQueue, 'vhost' | 'name' | 'type'>[]) {
    const byVhost = new Map<string, string[]>()
    for (const q of queues) {
      if (q.type === 'stream') continue
      byVhost.set(q.vhost, [...(byVhost.get(q.vhost) ?? []), q.name])
    }
    const counts = new Map<string, DeclaredCounts>()
    await Promise.all(
      [...byVhost].map(async ([vhost, names]) => {
        for (const [name, value] of await declaredCounts(options.pool, vhost, names)) {
          counts.set(key(vhost, name), value)
        }
      }),
    )
    return counts
  }

  async function filled(queues: ManagementQueue[], window?: HistoryWindow, declare = true) {
    if (queues.every((q) => q.messages !== undefined)) return queues
    if (!(await client.statsDisabled())) return queues
    startReadings()
    const [metrics, counts] = await Promise.all([
      fresh(),
      declare ? countsOf(queues) : new Map<string, DeclaredCounts>(),
    ])
    return queues.map((q) => {
      const id = key(q.vhost, q.name)
      return fill(q, metrics?.queues.get(id), counts.get(id), window)
    })
  }

  return {
    ...client,
    async overview(window) {
      const overview = await client.overview(window)
      if (overview.disable_stats !== true) {
        disabled = false
        return overview
      }
      startReadings()
      const metrics = await fresh()
      const total =
        (figure: keyof QueueMetrics): Figure =>
        (r) =>
          sum(r, figure)
      const stats: ManagementOverview['message_stats'] = {
        publish: metrics?.published ?? 0,
        publish_details: detailsOf((r) => r.published, window),
        deliver_get: metrics ? sum(metrics, 'delivered') : 0,
        deliver_get_details: detailsOf(total('delivered'), window),
        ack: metrics ? sum(metrics, 'acked') : 0,
        ack_details: detailsOf(total('acked'), window),
        redeliver: metrics ? sum(metrics, 'redelivered') : 0,
        redeliver_details: detailsOf(total('redelivered'), window),
      }
      // No totals of depth: they are counted from the queues themselves, as a declare says.
      return {
        ...overview,
        message_stats: stats,
        queue_totals: { messages_details: detailsOf(total('messages'), window) },
      }
    },
    queues: async (vhost) => filled(await client.queues(vhost)),
    listedQueues: async (vhost) => filled(await client.queues(vhost), undefined, false),
    async declaredCounts(queues) {
      if (queues.length === 0 || !(await client.statsDisabled())) return new Map()
      return countsOf(queues)
    },
    async queue(vhost, name, window) {
      const [one] = await filled([await client.queue(vhost, name, window)], window)
      return one as ManagementQueue
    },
    statistics: () =>
      disabled ? { source: 'prometheus', since: firstReadingAt } : { source: 'management' },
    close() {
      if (timer) clearInterval(timer)
      timer = undefined
    },
  }
}
