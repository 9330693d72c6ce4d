// Only in a function body: the declarations Warren ships never name prom-client.
import type { Registry as PromRegistry } from 'prom-client'
import { WarrenError } from '../errors.js'
import type { ConsumeObserver, GaugeSource, PublishObserver, PublishOutcome } from './observers.js'
import {
  DEFAULT_CONFIRM_BUCKETS,
  DEFAULT_HANDLER_BUCKETS,
  METRIC_NAMES,
  type MetricsOptions,
} from './options.js'
import type {
  CounterLike,
  GaugeLike,
  HistogramLike,
  MetricsRegistry,
  PromClientLike,
} from './prom-client-types.js'

type PublishChildren = Record<PublishOutcome, { inc(): void }>

/**
 * The `warren_*` collectors of one registry. Label children are bound once per exchange and
 * routing key (publish) or per queue (consume), so the hot path only increments.
 */
export class WarrenMetrics implements PublishObserver {
  readonly registry: MetricsRegistry
  readonly #published: CounterLike<'exchange' | 'routing_key' | 'outcome'>
  readonly #consumed: CounterLike<'queue' | 'outcome'>
  readonly #handlerDuration: HistogramLike<'queue'>
  readonly #confirmDuration: HistogramLike
  readonly #reconnects: CounterLike
  readonly #byExchange = new Map<string, Map<string, PublishChildren>>()
  readonly #sources = new Set<GaugeSource>()

  constructor(client: PromClientLike, registry: MetricsRegistry, options: MetricsOptions) {
    this.registry = registry
    const registers = [registry]
    this.#published = new client.Counter({
      name: METRIC_NAMES.published,
      help: 'Messages published, by outcome: confirmed by the broker, returned unroutable, or failed (nacked, timed out, refused, closed).',
      labelNames: ['exchange', 'routing_key', 'outcome'],
      registers,
    })
    this.#consumed = new client.Counter({
      name: METRIC_NAMES.consumed,
      help: 'Deliveries settled, by outcome: acked, sent to a retry tier, or dead-lettered.',
      labelNames: ['queue', 'outcome'],
      registers,
    })
    this.#handlerDuration = new client.Histogram({
      name: METRIC_NAMES.handlerDuration,
      help: 'Time handlers ran, failures and timeouts included.',
      labelNames: ['queue'],
      buckets: [...(options.handlerBuckets ?? DEFAULT_HANDLER_BUCKETS)],
      registers,
    })
    this.#confirmDuration = new client.Histogram({
      name: METRIC_NAMES.confirmDuration,
      help: 'Time from sending a publish to the broker confirming it.',
      buckets: [...(options.confirmBuckets ?? DEFAULT_CONFIRM_BUCKETS)],
      registers,
    })
    this.#reconnects = new client.Counter({
      name: METRIC_NAMES.reconnects,
      help: 'Connections re-established after a loss.',
      registers,
    })
    const sources = this.#sources
    new client.Gauge({
      name: METRIC_NAMES.handlersInFlight,
      help: 'Handlers running now.',
      labelNames: ['queue'],
      registers,
      collect(this: GaugeLike<'queue'>) {
        const byQueue = new Map<string, number>()
        for (const source of sources) {
          for (const { queue, active } of source.inFlight()) {
            byQueue.set(queue, (byQueue.get(queue) ?? 0) + active)
          }
        }
        this.reset()
        for (const [queue, active] of byQueue) this.set({ queue }, active)
      },
    })
    new client.Gauge({
      name: METRIC_NAMES.publishBuffered,
      help: 'Publishes held while disconnected or blocked, waiting to be sent.',
      registers,
      collect(this: GaugeLike) {
        let held = 0
        for (const source of sources) held += source.buffered()
        this.set(held)
      },
    })
  }

  /** A broker's live values join the gauges until `detach`. */
  attach(source: GaugeSource): void {
    this.#sources.add(source)
  }

  detach(source: GaugeSource): void {
    this.#sources.delete(source)
  }

  published(exchange: string, routingKey: string, outcome: PublishOutcome): void {
    let byKey = this.#byExchange.get(exchange)
    if (!byKey) {
      byKey = new Map()
      this.#byExchange.set(exchange, byKey)
    }
    let children = byKey.get(routingKey)
    if (!children) {
      const labels = { exchange, routing_key: routingKey }
      children = {
        confirmed: this.#published.labels({ ...labels, outcome: 'confirmed' }),
        returned: this.#published.labels({ ...labels, outcome: 'returned' }),
        failed: this.#published.labels({ ...labels, outcome: 'failed' }),
      }
      byKey.set(routingKey, children)
    }
    children[outcome].inc()
  }

  confirmed(seconds: number): void {
    this.#confirmDuration.observe(seconds)
  }

  reconnected(): void {
    this.#reconnects.inc()
  }

  forQueue(queue: string): ConsumeObserver {
    const ack = this.#consumed.labels({ queue, outcome: 'ack' })
    const retry = this.#consumed.labels({ queue, outcome: 'retry' })
    const deadLetter = this.#consumed.labels({ queue, outcome: 'dead_letter' })
    const duration = this.#handlerDuration.labels({ queue })
    return {
      ack: () => ack.inc(),
      retry: () => retry.inc(),
      deadLetter: () => deadLetter.inc(),
      handled: (seconds) => duration.observe(seconds),
    }
  }
}

// One set of collectors per registry: prom-client refuses a second metric of the same name.
const byRegistry = new WeakMap<MetricsRegistry, WarrenMetrics>()

/** Loads prom-client (an optional peer) and returns the collectors of the chosen registry. */
export async function loadMetrics(options: MetricsOptions | true): Promise<WarrenMetrics> {
  const resolved = options === true ? {} : options
  let client: PromClientLike
  try {
    // Checked against prom-client's own types here, the one place both meet.
    const loaded: PromClientLike<PromRegistry> = await import('prom-client')
    client = loaded as unknown as PromClientLike
  } catch (error) {
    throw new WarrenError(
      'INVALID_OPTIONS',
      'metrics need the prom-client package: install it beside @warren/sdk',
      { cause: error },
    )
  }
  const registry = resolved.registry ?? client.register
  let metrics = byRegistry.get(registry)
  if (!metrics) {
    metrics = new WarrenMetrics(client, registry, resolved)
    byRegistry.set(registry, metrics)
  }
  return metrics
}
