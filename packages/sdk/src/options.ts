import { hostname } from 'node:os'
import { toMs, type Duration } from './duration.js'
import { resolveKeyring, type EncryptionOptions, type Keyring } from './encryption/keyring.js'
import type { IdempotencyStore } from './idempotency/store.js'
import type { MetricsOptions } from './metrics/options.js'
import { silentLogger, type Logger } from './logging/logger.js'
import type { TopologyDefinition } from './topology/types.js'
import type { TracingOptions } from './tracing/options.js'

export const DEFAULT_URL = 'amqp://guest:guest@127.0.0.1:5672'

/** How the connection comes back after a loss. */
export interface ReconnectOptions {
  /** First delay after a loss. @default '100ms' */
  initialDelay?: Duration
  /** Ceiling of the exponential backoff. @default '10s' */
  maxDelay?: Duration
  /** Growth of the delay per failed attempt. @default 2 */
  factor?: number
  /** Random spread around each delay (0..1), so a fleet does not reconnect in step. @default 0.2 */
  jitter?: number
}

/** How publishes behave while the connection is down or the broker is blocked. */
export interface PublishBufferOptions {
  /** Publishes held while disconnected or blocked. @default 10000 */
  bufferSize?: number
  /** When the buffer is full: `reject` at once with `BufferFullError`, or `wait` for room. @default 'wait' */
  overflow?: 'reject' | 'wait'
  /** A held publish rejects with `TimeoutError` after this long. @default '30s' */
  timeout?: Duration
}

export interface ConnectOptions<T extends TopologyDefinition = TopologyDefinition> {
  /**
   * One URL, a comma-separated list or an array: the nodes of a cluster, tried round-robin.
   * @default process.env.WARREN_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672'
   */
  url?: string | readonly string[] | undefined
  /** What to declare on connect and after every reconnect. @default {} */
  topology?: T | undefined
  /** The service name: `appId` of published messages and part of `warren-consumer`. @default 'warren' */
  service?: string | undefined
  /** @default a silent logger */
  logger?: Logger | undefined
  /** AMQP heartbeat. @default '30s' */
  heartbeat?: Duration | undefined
  /** `connect()` rejects when no node answered within this time. @default '30s' */
  connectTimeout?: Duration | undefined
  /**
   * One connection attempt gives up after this long and the next node or retry follows, so a
   * silent peer (a blackholed network, a frozen node) costs one attempt, not a reconnect cycle.
   * @default '5s'
   */
  connectAttemptTimeout?: Duration | undefined
  /** @default see ReconnectOptions */
  reconnect?: ReconnectOptions | undefined
  /** @default see PublishBufferOptions */
  publish?: PublishBufferOptions | undefined
  /** `close()` waits this long for handlers and confirms, then closes anyway. @default '30s' */
  closeTimeout?: Duration | undefined
  /**
   * The broker's `max_message_size` in bytes. A publish whose body (encrypted, where encryption
   * is on) is larger rejects with `MessageTooLargeError` before anything is sent. AMQP does not
   * announce the limit, so set this when the broker is configured otherwise; a broker that
   * refuses a message anyway names its limit, which is used from then on.
   * @default RabbitMQ's default for the version the broker reports: 16 MiB on 4.x, 128 MiB on 3.x
   */
  maxMessageSize?: number | undefined
  /** AES-256-GCM payload encryption with key ids for rotation. @default off */
  encryption?: EncryptionOptions | undefined
  /**
   * Prometheus collectors (`warren_*`) through prom-client; `true` registers them in
   * prom-client's global registry. Read them back with `broker.metrics`.
   * @default false
   */
  metrics?: MetricsOptions | boolean | undefined
  /**
   * OpenTelemetry `publish` and `process` spans and a W3C `traceparent` header on every publish,
   * through `@opentelemetry/api`; `true` uses the global tracer provider.
   * @default false
   */
  tracing?: TracingOptions | boolean | undefined
}

export interface ResolvedConnectOptions {
  urls: string[]
  topology: TopologyDefinition
  service: string
  consumerId: string
  logger: Logger
  heartbeatSeconds: number
  connectTimeoutMs: number
  connectAttemptTimeoutMs: number
  reconnect: { initialDelayMs: number; maxDelayMs: number; factor: number; jitter: number }
  publish: { bufferSize: number; overflow: 'reject' | 'wait'; timeoutMs: number }
  closeTimeoutMs: number
  encryption: Keyring | undefined
  maxMessageSize: number | undefined
}

export function resolveConnectOptions(options: ConnectOptions): ResolvedConnectOptions {
  const url = options.url ?? process.env.WARREN_AMQP_URL ?? DEFAULT_URL
  const urls = (typeof url === 'string' ? url.split(',') : [...url])
    .map((u) => u.trim())
    .filter(Boolean)
  const service = options.service ?? 'warren'
  return {
    urls: urls.length > 0 ? urls : [DEFAULT_URL],
    topology: options.topology ?? {},
    service,
    consumerId: `${service}@${hostname()}:${process.pid}`,
    logger: options.logger ?? silentLogger,
    heartbeatSeconds: Math.round(toMs(options.heartbeat ?? '30s') / 1000),
    connectTimeoutMs: toMs(options.connectTimeout ?? '30s'),
    connectAttemptTimeoutMs: toMs(options.connectAttemptTimeout ?? '5s'),
    reconnect: {
      initialDelayMs: toMs(options.reconnect?.initialDelay ?? '100ms'),
      maxDelayMs: toMs(options.reconnect?.maxDelay ?? '10s'),
      factor: options.reconnect?.factor ?? 2,
      jitter: options.reconnect?.jitter ?? 0.2,
    },
    publish: {
      bufferSize: options.publish?.bufferSize ?? 10_000,
      overflow: options.publish?.overflow ?? 'wait',
      timeoutMs: toMs(options.publish?.timeout ?? '30s'),
    },
    closeTimeoutMs: toMs(options.closeTimeout ?? '30s'),
    encryption: options.encryption ? resolveKeyring(options.encryption) : undefined,
    maxMessageSize: options.maxMessageSize,
  }
}

/** Per-call publish options. */
export interface PublishOptions {
  /** @default a new UUID v7 */
  messageId?: string
  /** @default none */
  correlationId?: string
  /** The message name (`type` property). @default the routing key */
  type?: string
  /** Extra headers (flat values). @default {} */
  headers?: Readonly<Record<string, unknown>>
  /** W3C trace context, sent as the `traceparent` header. @default none */
  traceparent?: string
  /** Priority (classic queues with `x-max-priority`). @default none */
  priority?: number
  /** Per-message TTL. @default none */
  expiration?: Duration
  /**
   * Deliver after this long (e.g. `'90s'`), through the shared power-of-two delay levels
   * `warren.delay.<2^k>ms`, declared on the first delayed publish. Resolves once the message is
   * confirmed into the first level. Up to about 795 days; accurate to a few ms per level.
   * @default none (at once)
   */
  delay?: Duration
  /** Overrides the connection's publish timeout for this call. @default the connection's */
  timeout?: Duration
}

/** Options of one consumer. */
export interface ConsumeOptions {
  /** Deliveries the broker sends ahead of acks. @default 20 */
  prefetch?: number
  /** Handlers running at once. @default 10 */
  concurrency?: number
  /** A handler still running after this long has failed (`TimeoutError`). @default '30s' */
  timeout?: Duration
  /** Run the handler at most once per messageId within `ttl`. @default none */
  idempotency?: { store: IdempotencyStore; ttl?: Duration }
}

export interface ResolvedConsumeOptions {
  prefetch: number
  concurrency: number
  timeoutMs: number
  idempotency: { store: IdempotencyStore; ttlMs: number } | undefined
}

export function resolveConsumeOptions(options: ConsumeOptions = {}): ResolvedConsumeOptions {
  const prefetch = options.prefetch ?? 20
  return {
    prefetch,
    concurrency: Math.max(1, options.concurrency ?? Math.min(10, prefetch)),
    timeoutMs: toMs(options.timeout ?? '30s'),
    idempotency: options.idempotency
      ? { store: options.idempotency.store, ttlMs: toMs(options.idempotency.ttl ?? '24h') }
      : undefined,
  }
}
