import type { MetricsRegistry } from './prom-client-types.js'

/** Prometheus collectors through prom-client (an optional peer dependency). */
export interface MetricsOptions {
  /**
   * Where the `warren_*` collectors are registered. Several brokers may share one registry:
   * their counts add up.
   * @default prom-client's global `register`
   */
  registry?: MetricsRegistry
  /**
   * Buckets (seconds) of `warren_handler_duration_seconds`.
   * @default [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
   */
  handlerBuckets?: readonly number[]
  /**
   * Buckets (seconds) of `warren_publish_confirm_duration_seconds`.
   * @default [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5]
   */
  confirmBuckets?: readonly number[]
}

export const DEFAULT_HANDLER_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]
export const DEFAULT_CONFIRM_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5,
]

/** The names of the collectors, as the README lists them. */
export const METRIC_NAMES = {
  published: 'warren_published_total',
  consumed: 'warren_consumed_total',
  handlerDuration: 'warren_handler_duration_seconds',
  confirmDuration: 'warren_publish_confirm_duration_seconds',
  handlersInFlight: 'warren_handlers_in_flight',
  publishBuffered: 'warren_publish_buffered',
  reconnects: 'warren_reconnects_total',
} as const
