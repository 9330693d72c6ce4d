import type { Link } from './connection/connection-manager.js'
import type { Keyring } from './encryption/keyring.js'
import type { Logger } from './logging/logger.js'
import type { WarrenMetrics } from './metrics/metrics.js'
import type { ResolvedConnectOptions } from './options.js'
import type { Publisher } from './publish/publisher.js'
import type { MessageSchemas } from './topology/message-name.js'
import type { Tracing } from './tracing/tracing.js'

/**
 * What the parts of one broker share: built once by the broker, and handed whole (or the few
 * fields a part needs) to the consumers, schedules, delay levels, request client and responders.
 * A plain object of values and functions, so a part's context is `{ ...runtime, ...its hooks }`.
 */
export interface Runtime {
  readonly publisher: Publisher
  readonly logger: Logger
  /** `warren-consumer` of the copies this instance publishes. */
  readonly consumerId: string
  /** `appId` of every message. */
  readonly service: string
  /** Seals and opens bodies when encryption is on. */
  readonly keyring: Keyring | undefined
  readonly messages: MessageSchemas | undefined
  readonly metrics: WarrenMetrics | undefined
  readonly tracing: Tracing | undefined
  /** The current connection, undefined while disconnected. */
  readonly link: () => Link | undefined
  /** Whether the current connection's broker delays retries itself (the connect-time probe). */
  readonly delayedRetry: () => boolean
  /** Whether `close()` was called: nothing new may start. */
  readonly closed: () => boolean
}

/** The connection-specific half of a runtime, which the broker owns. */
export interface RuntimeState {
  link: () => Link | undefined
  delayedRetry: () => boolean
  closed: () => boolean
}

export function createRuntime(
  options: ResolvedConnectOptions,
  publisher: Publisher,
  instruments: { metrics?: WarrenMetrics | undefined; tracing?: Tracing | undefined },
  state: RuntimeState,
): Runtime {
  return {
    publisher,
    logger: options.logger,
    consumerId: options.consumerId,
    service: options.service,
    keyring: options.encryption,
    messages: options.topology.messages,
    metrics: instruments.metrics,
    tracing: instruments.tracing,
    link: state.link,
    delayedRetry: state.delayedRetry,
    closed: state.closed,
  }
}
