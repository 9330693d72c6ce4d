import type { WarrenMetrics } from './metrics/metrics.js'
import type { DelayedRetrySupport } from './retry/probe.js'
import type { RetryModes } from './topology/setup.js'
import type { Tracing } from './tracing/tracing.js'

/** Events a broker emits. `error` is emitted only when someone listens (else it is logged). */
export interface BrokerEvents {
  connected: [{ url: string; serverVersion: string }]
  reconnected: [{ url: string; serverVersion: string }]
  disconnected: [{ error: Error | undefined }]
  blocked: [{ reason: string }]
  unblocked: []
  error: [Error]
  /** The broker cancelled a consumer (its queue was deleted), then it consumed again. */
  'consumer-cancelled': [{ queue: string }]
  'consumer-resumed': [{ queue: string }]
}

/** What `connect()` loads before the broker exists (optional peer dependencies). */
export interface Instruments {
  metrics?: WarrenMetrics | undefined
  tracing?: Tracing | undefined
}

/** Internal counts, for tests and health checks. */
export interface BrokerDiagnostics {
  /** Requests waiting for their reply: each holds one map entry and one timer. */
  pendingRequests: number
  /**
   * The connect-time probe of native delayed retry on the current connection; undefined when no
   * queue asks for retry mode `broker` (nothing is probed then).
   */
  delayedRetry: DelayedRetrySupport | undefined
  /** Each queue with retries: the mode in use, and why `tiers` where `broker` was asked for. */
  retry: RetryModes
}
