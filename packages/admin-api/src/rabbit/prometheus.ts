// The RabbitMQ Prometheus plugin (rabbitmq_prometheus), read where the management API keeps no
// statistics (RabbitMQ 4.x with `management_metrics_collection` denied): per-queue depths,
// consumers and message counters from its per-object endpoint `/metrics/detailed`.
import { ApiError } from '../errors.js'
import { inScope, scopeHasPatterns } from '../scope.js'

/** Options of the Prometheus client. */
export interface PrometheusOptions {
  /**
   * Base URLs of the plugin, one per cluster node (each node reports the queues it hosts and the
   * channels connected to it, so every node is read and the answers added up).
   */
  urls: readonly string[]
  /** @default 5000 */
  timeoutMs?: number
  /** @default globalThis.fetch */
  fetch?: typeof fetch
}

/** One queue's figures as the plugin reports them; counters count since the queue began. */
export interface QueueMetrics {
  messages: number
  ready: number
  unacked: number
  consumers: number
  published: number
  /** Deliveries and gets, with and without acks: the management API's `deliver_get`. */
  delivered: number
  acked: number
  redelivered: number
  /**
   * The AMQP `timestamp` of the message at the queue's head, in seconds; 0 when the queue is
   * empty or that message has none.
   */
  headTimestamp: number
}

/** What one reading of the plugin holds: queues by `vhost \0 name`, and exchange publishes. */
export interface MetricsReading {
  queues: Map<string, QueueMetrics>
  /** Messages published to the exchanges of the vhosts read, all added up. */
  published: number
}

export interface PrometheusClient {
  /** Reads the vhosts given (every vhost when none) from every node. */
  read(vhosts?: readonly string[]): Promise<MetricsReading>
}

const FAMILIES = [
  'queue_coarse_metrics',
  // Only for the head message's timestamp, the age of a DLQ's oldest dead letter.
  'queue_metrics',
  'queue_consumer_count',
  'queue_delivery_metrics',
  'queue_exchange_metrics',
  'exchange_metrics',
]

/** Which figure of a queue each metric adds to. */
const QUEUE_FIGURES: Record<string, keyof QueueMetrics> = {
  rabbitmq_detailed_queue_messages: 'messages',
  rabbitmq_detailed_queue_messages_ready: 'ready',
  rabbitmq_detailed_queue_messages_unacked: 'unacked',
  rabbitmq_detailed_queue_consumers: 'consumers',
  rabbitmq_detailed_queue_exchange_messages_published_total: 'published',
  rabbitmq_detailed_queue_messages_delivered_total: 'delivered',
  rabbitmq_detailed_queue_messages_delivered_ack_total: 'delivered',
  rabbitmq_detailed_queue_get_total: 'delivered',
  rabbitmq_detailed_queue_get_ack_total: 'delivered',
  rabbitmq_detailed_queue_messages_acked_total: 'acked',
  rabbitmq_detailed_queue_messages_redelivered_total: 'redelivered',
  rabbitmq_detailed_queue_head_message_timestamp: 'headTimestamp',
}
const EXCHANGE_PUBLISHED = 'rabbitmq_detailed_exchange_messages_published_total'

const emptyQueue = (): QueueMetrics => ({
  messages: 0,
  ready: 0,
  unacked: 0,
  consumers: 0,
  published: 0,
  delivered: 0,
  acked: 0,
  redelivered: 0,
  headTimestamp: 0,
})

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g
const unescape = (value: string) =>
  value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c))

/** One node's text exposition (Prometheus format 0.0.4), read into figures. */
export function parseExposition(
  text: string,
  keep: (vhost: string) => boolean = () => true,
): MetricsReading {
  const into: MetricsReading = { queues: new Map(), published: 0 }
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const match = LINE.exec(line)
    if (!match) continue
    const [, name = '', labelText = '', valueText = ''] = match
    const figure = QUEUE_FIGURES[name]
    if (figure === undefined && name !== EXCHANGE_PUBLISHED) continue
    const value = Number(valueText)
    if (!Number.isFinite(value)) continue
    const labels: Record<string, string> = {}
    for (const [, key = '', raw = ''] of labelText.matchAll(LABEL)) labels[key] = unescape(raw)
    const vhost = labels['vhost']
    if (vhost === undefined || !keep(vhost)) continue
    if (figure === undefined) {
      into.published += value
      continue
    }
    const queue = labels['queue']
    if (queue === undefined) continue
    const key = `${vhost}\u0000${queue}`
    const metrics = into.queues.get(key) ?? emptyQueue()
    metrics[figure] += value
    into.queues.set(key, metrics)
  }
  return into
}

const GAUGES = new Set<keyof QueueMetrics>([
  'messages',
  'ready',
  'unacked',
  'consumers',
  'headTimestamp',
])

/**
 * Several nodes' readings as one: counters add up (each node counts what its own channels did),
 * while a queue's depth is the one its leader reports, so a replica's copy is not added twice.
 */
export function mergeReadings(readings: readonly MetricsReading[]): MetricsReading {
  const merged: MetricsReading = { queues: new Map(), published: 0 }
  for (const reading of readings) {
    merged.published += reading.published
    for (const [key, metrics] of reading.queues) {
      const into = merged.queues.get(key) ?? emptyQueue()
      for (const figure of Object.keys(metrics) as (keyof QueueMetrics)[]) {
        into[figure] = GAUGES.has(figure)
          ? Math.max(into[figure], metrics[figure])
          : into[figure] + metrics[figure]
      }
      merged.queues.set(key, into)
    }
  }
  return merged
}

const unavailable = (detail: string, cause?: unknown) =>
  new ApiError(502, 'prometheus-unavailable', 'RabbitMQ Prometheus plugin unavailable', detail, {
    cause,
  })

/** Creates a client of the plugin's per-object endpoint. */
export function createPrometheusClient(options: PrometheusOptions): PrometheusClient {
  const bases = options.urls.map((url) => url.replace(/\/+$/, ''))
  const timeoutMs = options.timeoutMs ?? 5000
  const doFetch = options.fetch ?? globalThis.fetch

  async function scrape(base: string, vhost: string | undefined): Promise<string | undefined> {
    const query = new URLSearchParams(
      FAMILIES.map((family): [string, string] => ['family', family]),
    )
    if (vhost !== undefined) query.append('vhost', vhost)
    try {
      const response = await doFetch(`${base}/metrics/detailed?${query}`, {
        signal: AbortSignal.timeout(timeoutMs),
      })
      if (!response.ok) {
        await response.body?.cancel()
        return undefined
      }
      return await response.text()
    } catch {
      // A node that is down reports nothing; the others still count.
      return undefined
    }
  }

  return {
    async read(vhosts) {
      // Patterns are resolved against the whole scrape: the queues' own vhost labels sort it.
      const targets = vhosts === undefined || scopeHasPatterns(vhosts) ? [undefined] : [...vhosts]
      const texts = await Promise.all(
        bases.flatMap((base) => targets.map((vhost) => scrape(base, vhost))),
      )
      if (texts.every((text) => text === undefined)) {
        throw unavailable(`No Prometheus endpoint answered (${bases.length} tried)`)
      }
      return mergeReadings(
        texts.flatMap((text) =>
          text === undefined ? [] : [parseExposition(text, (vhost) => inScope(vhosts, vhost))],
        ),
      )
    },
  }
}

/**
 * Where the plugin listens when nobody says: on each management API's host, at the plugin's
 * default port 15692.
 */
export function defaultPrometheusUrls(managementUrls: readonly string[]): string[] {
  return managementUrls.map((url) => {
    const parsed = new URL(url)
    // `hostname` keeps an IPv6 address's brackets.
    return `${parsed.protocol}//${parsed.hostname}:15692`
  })
}
