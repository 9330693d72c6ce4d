// Over 300 lines on purpose: this is the public `Broker` API, one method per call with its docs;
// each feature's logic lives in its own module (publish/, consume/, retry/, ...) and is wired here.
import { EventEmitter } from 'node:events'
import type { Options } from 'amqplib'
import { Cron } from 'croner'
import type { z } from 'zod'
import type { Registry } from 'prom-client'
import { Batcher, type BatchHandler } from './batch/batcher.js'
import { resolveBatchOptions, type BatchConsumeOptions } from './batch/options.js'
import { ConnectionManager, type Link } from './connection/connection-manager.js'
import { DelayedDelivery } from './delay/delayed-delivery.js'
import { RpcClient } from './rpc/client.js'
import { scheduleName, type ScheduleOptions } from './schedule/options.js'
import { Schedule, type ScheduleHandle } from './schedule/schedule.js'
import { DEFAULT_REQUEST_TIMEOUT, type RequestOptions } from './rpc/options.js'
import { replyingHandler, type Responder } from './rpc/respond.js'
import { Consumer, type ConsumerHandle } from './consume/consumer.js'
import type { Handler, HandlerMap } from './consume/message.js'
import { toMs } from './duration.js'
import { ClosedError, TopologyError, WarrenError } from './errors.js'
import { errorFields } from './logging/logger.js'
import { loadMetrics, type WarrenMetrics } from './metrics/metrics.js'
import { loadTracing, type PublishSpan, type Tracing } from './tracing/tracing.js'
import type { GaugeSource } from './metrics/observers.js'
import {
  resolveConnectOptions,
  resolveConsumeOptions,
  type ConnectOptions,
  type ConsumeOptions,
  type PublishOptions,
  type ResolvedConnectOptions,
} from './options.js'
import { seal } from './encryption/seal.js'
import { encodeBody } from './publish/encode.js'
import { Publisher } from './publish/publisher.js'
import { uuidv7 } from './publish/uuid.js'
import { validateBody } from './publish/validate.js'
import { HEADERS } from './headers.js'
import { probeDelayedRetry, type DelayedRetrySupport } from './retry/probe.js'
import { brokerFeatures } from './topology/arguments.js'
import { declareTopology } from './topology/declare.js'
import { planTopology, type QueuePlan } from './topology/plan.js'
import type {
  ConsumeBody,
  MessageBody,
  MessageName,
  PublishBody,
  QueueName,
  TopologyDefinition,
} from './topology/types.js'

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
interface Instruments {
  metrics?: WarrenMetrics | undefined
  tracing?: Tracing | undefined
}

/** Internal counts, for tests and health checks. */
export interface BrokerDiagnostics {
  /** Requests waiting for their reply: each holds one map entry and one timer. */
  pendingRequests: number
  /** Listeners on the reply channel: constant, never one per request. */
  replyChannelListeners: number
  /**
   * The connect-time probe of native delayed retry on the current connection; undefined when no
   * queue asks for retry mode `broker` (nothing is probed then).
   */
  delayedRetry: DelayedRetrySupport | undefined
  /** Each queue with retries: the mode in use, and why `tiers` where `broker` was asked for. */
  retry: Record<string, { mode: 'tiers' | 'broker'; reason?: string }>
}

/** One handler per message name, each typed by its schema. */
export type Handlers<T> = { [K in MessageName<T>]?: Handler<MessageBody<T, K>> }

interface Prepared {
  content: Buffer
  properties: Options.Publish & { messageId: string }
}

/** One message of a batch publish. */
export interface BatchItem<RK extends string = string> {
  exchange: string
  routingKey: RK
  body: unknown
  options?: PublishOptions
}

/**
 * A connection to RabbitMQ with its declared topology: publish with confirms, consume with
 * retries and dead letters. Obtain one with `connect()`.
 */
export class Broker<
  T extends TopologyDefinition = TopologyDefinition,
> extends EventEmitter<BrokerEvents> {
  readonly #options: ResolvedConnectOptions
  readonly #connection: ConnectionManager
  readonly #publisher: Publisher
  readonly #plans: Map<string, QueuePlan>
  readonly #consumers = new Set<Consumer>()
  readonly #rpc: RpcClient
  readonly #delay: DelayedDelivery
  readonly #schedules = new Set<Schedule>()
  #closed = false
  /** What the probe of the current connection found; undefined when nothing asked for it. */
  #delayedRetry: DelayedRetrySupport | undefined
  readonly #metrics: WarrenMetrics | undefined
  readonly #tracing: Tracing | undefined
  readonly #gauges: GaugeSource = {
    buffered: () => this.#publisher.buffered,
    inFlight: () => [...this.#consumers].map((c) => ({ queue: c.queue, active: c.active })),
  }

  /** @internal use `connect()` */
  constructor(options: ConnectOptions<T>, instruments: Instruments = {}) {
    super()
    this.#options = resolveConnectOptions(options)
    this.#plans = planTopology(this.#options.topology)
    this.#publisher = new Publisher(this.#options)
    this.#delay = new DelayedDelivery({
      publisher: this.#publisher,
      logger: this.#options.logger,
      consumerId: this.#options.consumerId,
      link: () => this.#connection.link,
    })
    this.#rpc = new RpcClient(
      () => this.#connection.link,
      this.#options.logger,
      this.#options.encryption,
    )
    this.#metrics = instruments.metrics
    this.#tracing = instruments.tracing
    this.#publisher.observer = this.#metrics
    this.#metrics?.attach(this.#gauges)
    this.#connection = new ConnectionManager(this.#options, (link, reconnected) =>
      this.#setup(link, reconnected),
    )
    this.#connection.on('connected', ({ url, serverVersion, reconnected }) => {
      if (reconnected) this.#metrics?.reconnected()
      this.emit(reconnected ? 'reconnected' : 'connected', { url, serverVersion })
    })
    this.#connection.on('disconnected', ({ error }) => {
      this.#publisher.detach()
      this.#delay.detach()
      for (const schedule of this.#schedules) schedule.detach()
      for (const consumer of this.#consumers) consumer.detach()
      this.emit('disconnected', { error })
    })
    this.#connection.on('blocked', ({ reason }) => {
      this.#options.logger.warn({ event: 'blocked', reason }, 'broker blocked publishing')
      this.#publisher.setBlocked(true)
      this.emit('blocked', { reason })
    })
    this.#connection.on('unblocked', () => {
      this.#options.logger.info({ event: 'unblocked' }, 'broker unblocked publishing')
      this.#publisher.setBlocked(false)
      this.emit('unblocked')
    })
  }

  /** @internal */
  async start(): Promise<void> {
    await this.#connection.start()
  }

  /** The RabbitMQ version of the current connection, undefined while disconnected. */
  get serverVersion(): string | undefined {
    return this.#connection.link?.serverVersion
  }

  get connected(): boolean {
    return this.#connection.link !== undefined
  }

  /**
   * The prom-client registry holding the `warren_*` metrics, undefined unless `connect()` was
   * given `metrics`.
   *
   * @example
   * app.get('/metrics', async () => new Response(await broker.metrics?.metrics()))
   */
  get metrics(): Registry | undefined {
    return this.#metrics?.registry
  }

  /**
   * Publishes one message and resolves once the broker confirmed it. A body whose routing key has
   * a schema is validated first (`ValidationError`, nothing sent); a message no queue receives
   * rejects with `UnroutableError`.
   *
   * @example
   * await broker.publish('orders', 'order.created', { orderId: 'o-1', amount: 12 })
   */
  publish<RK extends string>(
    exchange: string,
    routingKey: RK,
    body: PublishBody<T, RK>,
    options: PublishOptions = {},
  ): Promise<void> {
    if (options.delay !== undefined) {
      return this.#publishDelayed(exchange, routingKey, body, options)
    }
    const span = this.#tracing?.startPublish(exchange, routingKey, options.traceparent)
    let prepared: Prepared
    try {
      prepared = this.#prepare(routingKey, body, options, span)
    } catch (error) {
      span?.fail(error)
      return Promise.reject(error as Error)
    }
    const confirmed = this.#publisher.publish(
      exchange,
      routingKey,
      prepared.content,
      prepared.properties,
      options.timeout === undefined ? undefined : toMs(options.timeout),
    )
    return span ? span.track(confirmed) : confirmed
  }

  /**
   * Publishes many messages, pipelined, and resolves when all are confirmed. Every body is
   * validated before anything is sent. Rejects with the first failure.
   */
  async publishBatch(items: readonly BatchItem[]): Promise<void> {
    if (items.some((item) => item.options?.delay !== undefined)) {
      // Every body is still validated before anything is sent.
      for (const item of items) this.#prepare(item.routingKey, item.body, item.options ?? {})
      await Promise.all(
        items.map((item) =>
          this.publish(
            item.exchange,
            item.routingKey,
            item.body as PublishBody<T, string>,
            item.options,
          ),
        ),
      )
      return
    }
    const tracing = this.#tracing
    const spans = items.map((item) =>
      tracing?.startPublish(item.exchange, item.routingKey, item.options?.traceparent),
    )
    let prepared: Prepared[]
    try {
      prepared = items.map((item, i) =>
        this.#prepare(item.routingKey, item.body, item.options ?? {}, spans[i]),
      )
    } catch (error) {
      for (const span of spans) span?.fail(error)
      throw error
    }
    await Promise.all(
      prepared.map((p, i) => {
        const item = items[i] as BatchItem
        const timeout = item.options?.timeout
        const confirmed = this.#publisher.publish(
          item.exchange,
          item.routingKey,
          p.content,
          p.properties,
          timeout === undefined ? undefined : toMs(timeout),
        )
        const span = spans[i]
        return span ? span.track(confirmed) : confirmed
      }),
    )
  }

  /** A publish with `delay`: validated and encoded now, sent through the delay levels. */
  #publishDelayed(
    exchange: string,
    routingKey: string,
    body: unknown,
    options: PublishOptions,
  ): Promise<void> {
    // The span ends when the delay levels accept the message; its process span follows later.
    const span = this.#tracing?.startPublish(exchange, routingKey, options.traceparent)
    try {
      const delayMs = toMs(options.delay ?? 0)
      const prepared = this.#prepare(routingKey, body, options, span)
      const timeoutMs = options.timeout === undefined ? undefined : toMs(options.timeout)
      const { content, properties } = prepared
      const sent =
        delayMs === 0
          ? this.#publisher.publish(exchange, routingKey, content, properties, timeoutMs)
          : this.#delay.publish(exchange, routingKey, content, properties, delayMs, timeoutMs)
      return span ? span.track(sent) : sent
    } catch (error) {
      span?.fail(error)
      return Promise.reject(error as Error)
    }
  }

  /** Validation, encoding and the properties of DESIGN.md section 2. */
  #prepare(
    routingKey: string,
    body: unknown,
    options: PublishOptions,
    span?: PublishSpan,
  ): Prepared {
    if (this.#closed) throw new ClosedError()
    const schema = this.#options.topology.messages?.[options.type ?? routingKey]
    if (schema) {
      const result = validateBody(schema, body, `message for '${routingKey}'`)
      if (!result.ok) throw result.error
    }
    let { content, contentType } = encodeBody(body)
    const keyring = this.#options.encryption
    const sealed = keyring ? seal(keyring, content, contentType) : undefined
    if (sealed) ({ content, contentType } = sealed)
    // Plain assignments, no spreads: this runs once per message on the publish hot path.
    const properties: Prepared['properties'] = {
      messageId: options.messageId ?? uuidv7(),
      timestamp: Math.floor(Date.now() / 1000),
      contentType,
      type: options.type ?? routingKey,
      appId: this.#options.service,
      persistent: true,
      mandatory: true,
    }
    if (options.headers !== undefined || options.traceparent !== undefined || sealed || span) {
      const headers: Record<string, unknown> = { ...options.headers, ...sealed?.headers }
      if (options.traceparent) headers[HEADERS.traceparent] = options.traceparent
      // The publish span continues the caller's traceparent and replaces it in the headers.
      if (span) Object.assign(headers, span.headers)
      properties.headers = headers
    }
    if (options.correlationId !== undefined) properties.correlationId = options.correlationId
    if (options.priority !== undefined) properties.priority = options.priority
    if (options.expiration !== undefined) properties.expiration = String(toMs(options.expiration))
    span?.prepared(properties.messageId, content.length, options.correlationId)
    return { content, properties }
  }

  /**
   * Consumes a queue of the topology. The handler resolving acks the message; throwing sends it
   * to the retry tier for its attempt, or to `Q.dlq` after `maxAttempts` or on `NonRetryableError`.
   *
   * @example
   * const consumer = await broker.consume('billing.charge', async (msg) => {
   *   await charge(msg.body.orderId, msg.body.amount)
   * }, { prefetch: 50, concurrency: 10, timeout: '30s' })
   */
  async consume<Q extends QueueName<T>>(
    queue: Q,
    handler: Handler<ConsumeBody<T, Q>> | Handlers<T>,
    options?: ConsumeOptions,
  ): Promise<ConsumerHandle> {
    if (this.#closed) throw new ClosedError()
    const plan = this.#plans.get(queue)
    if (!plan) {
      throw new WarrenError('UNKNOWN_QUEUE', `queue '${queue}' is not part of the topology`)
    }
    const consumer = new Consumer(
      {
        publisher: this.#publisher,
        logger: this.#options.logger,
        consumerId: this.#options.consumerId,
        messages: this.#options.topology.messages,
        keyring: this.#options.encryption,
        link: () => this.#connection.link,
        delayedRetry: () => this.#delayedRetry?.supported === true,
        redeclare: (p, link) => this.#declare(link, [p]),
        onBrokerCancel: (q, phase) =>
          this.emit(phase === 'cancelled' ? 'consumer-cancelled' : 'consumer-resumed', {
            queue: q,
          }),
        onClosed: (c) => this.#consumers.delete(c),
        metrics: this.#metrics,
        tracing: this.#tracing,
      },
      plan,
      handler as Handler<unknown> | HandlerMap,
      resolveConsumeOptions(options),
      this.#options.closeTimeoutMs,
    )
    this.#consumers.add(consumer)
    const link = this.#connection.link
    // While disconnected, the next reconnect attaches it.
    if (link) await consumer.attach(link)
    return consumer
  }

  /**
   * Consumes a queue in batches: the handler gets up to `size` messages, or those that arrived
   * within `wait`. It returns nothing (all acked) or one outcome per message, an `Error` failing
   * that message alone (retried or dead-lettered as by `consume`, the rest acked); throwing fails
   * the whole batch.
   *
   * @example
   * await broker.consumeBatch('search.index', async (batch) => {
   *   const results = await index(batch.map((msg) => msg.body))
   *   return results.map((r) => (r.ok ? 'ack' : new Error(r.reason)))
   * }, { size: 100, wait: '200ms' })
   */
  async consumeBatch<Q extends QueueName<T>>(
    queue: Q,
    handler: BatchHandler<ConsumeBody<T, Q>>,
    options?: BatchConsumeOptions,
  ): Promise<ConsumerHandle> {
    const resolved = resolveBatchOptions(options)
    const batcher = new Batcher(handler as BatchHandler, resolved)
    return this.consume(queue, (msg) => batcher.add(msg), resolved.consume)
  }

  /**
   * Sends a request and resolves with the reply's body. Replies come over direct reply-to (no
   * reply queue), matched by correlation id. Rejects with `TimeoutError` when no reply came in
   * time, `RemoteError` when the responder threw, `UnroutableError` when no queue took the request,
   * `ValidationError` when `options.reply` (a schema, which also types the result) refuses the reply.
   *
   * @example
   * const quote = await broker.request('pricing', 'quote.get', { sku: 'A-1' }, { timeout: '2s' })
   */
  request<RK extends string, S extends z.ZodType>(
    exchange: string,
    routingKey: RK,
    body: PublishBody<T, RK>,
    options: RequestOptions & { reply: S },
  ): Promise<z.output<S>>
  request<R = unknown, RK extends string = string>(
    exchange: string,
    routingKey: RK,
    body: PublishBody<T, RK>,
    options?: RequestOptions,
  ): Promise<R>
  request(
    exchange: string,
    routingKey: string,
    body: unknown,
    options: RequestOptions = {},
  ): Promise<unknown> {
    let prepared: Prepared
    let timeoutMs: number
    try {
      prepared = this.#prepare(routingKey, body, options)
      timeoutMs = toMs(options.timeout ?? DEFAULT_REQUEST_TIMEOUT)
    } catch (error) {
      return Promise.reject(error as Error)
    }
    return this.#rpc.request(
      exchange,
      routingKey,
      prepared.content,
      prepared.properties,
      timeoutMs,
      options.reply,
    )
  }

  /**
   * Answers requests arriving on a queue of the topology: the responder's result is the reply.
   * A responder that throws sends the error back (the request rejects with `RemoteError`), and
   * the request is acked, never retried: the requester decides whether to ask again.
   *
   * @example
   * await broker.respond('pricing.quote', async (msg) => ({ price: await price(msg.body.sku) }))
   */
  respond<Q extends QueueName<T>>(
    queue: Q,
    responder: Responder<ConsumeBody<T, Q>>,
    options?: ConsumeOptions,
  ): Promise<ConsumerHandle> {
    const handler = replyingHandler(
      {
        publisher: this.#publisher,
        logger: this.#options.logger,
        service: this.#options.service,
        keyring: this.#options.encryption,
      },
      responder as Responder,
    )
    return this.consume(queue, handler, options)
  }

  /** Internal counts: open requests and reply channel listeners. */
  get diagnostics(): BrokerDiagnostics {
    const retry: BrokerDiagnostics['retry'] = {}
    const support = this.#delayedRetry
    for (const plan of this.#plans.values()) {
      if (plan.retryTiers.length === 0) continue
      if (!plan.brokerRetry) retry[plan.name] = { mode: 'tiers' }
      else if (support?.supported) retry[plan.name] = { mode: 'broker' }
      else retry[plan.name] = { mode: 'tiers', reason: support?.reason ?? 'not connected yet' }
    }
    return {
      pendingRequests: this.#rpc.pending,
      replyChannelListeners: this.#rpc.listeners,
      delayedRetry: support,
      retry,
    }
  }

  /**
   * Publishes a message on every tick of a cron expression (croner syntax, seconds optional),
   * once per tick however many instances schedule the same job: the instances elect one leader
   * through a lock queue with a single active consumer, and another takes over when it goes.
   * `body` may be a function, called at each tick. Each tick's messageId is `<name>@<tick>`.
   *
   * @example
   * await broker.schedule('0 0 3 * * *', 'reports', 'report.nightly', () => ({ day: today() }))
   */
  async schedule<RK extends string>(
    cron: string,
    exchange: string,
    routingKey: RK,
    body: PublishBody<T, RK> | (() => PublishBody<T, RK> | Promise<PublishBody<T, RK>>),
    options: ScheduleOptions = {},
  ): Promise<ScheduleHandle> {
    if (this.#closed) throw new ClosedError()
    let pattern: Cron
    try {
      pattern = new Cron(cron, options.timezone === undefined ? {} : { timezone: options.timezone })
    } catch (error) {
      throw new WarrenError('INVALID_OPTIONS', `invalid cron expression '${cron}'`, {
        cause: error,
      })
    }
    const name = scheduleName(exchange, routingKey, options)
    const { name: _name, timezone: _timezone, ...publishOptions } = options
    // A fixed body is checked now rather than at the first tick, maybe hours later.
    if (typeof body !== 'function') this.#prepare(routingKey, body, publishOptions)
    const schedule = new Schedule(
      {
        publisher: this.#publisher,
        logger: this.#options.logger,
        link: () => this.#connection.link,
        tick: async (at) => {
          const iso = at.toISOString()
          const value = typeof body === 'function' ? await (body as () => unknown)() : body
          await this.publish(exchange, routingKey, value as PublishBody<T, RK>, {
            ...publishOptions,
            messageId: `${name}@${iso}`,
            headers: { ...publishOptions.headers, [HEADERS.scheduledAt]: iso },
          })
        },
        onClosed: (s) => this.#schedules.delete(s),
      },
      name,
      pattern,
    )
    this.#schedules.add(schedule)
    const link = this.#connection.link
    if (link) {
      try {
        await schedule.attach(link)
      } catch (error) {
        await schedule.cancel()
        throw error
      }
    }
    return schedule
  }

  /** Cancels consumers (their running handlers finish), waits for outstanding confirms, closes. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await Promise.all([...this.#schedules].map((schedule) => schedule.cancel()))
    await Promise.all([...this.#consumers].map((consumer) => consumer.cancel()))
    await this.#rpc.close()
    await this.#delay.close(this.#options.closeTimeoutMs)
    if (this.#connection.link) await this.#publisher.drain(this.#options.closeTimeoutMs)
    await this.#publisher.close()
    await this.#connection.close()
    this.#metrics?.detach(this.#gauges)
  }

  async #setup(link: Link, reconnected: boolean): Promise<void> {
    this.#publisher.setBlocked(false)
    await this.#probe(link)
    try {
      await this.#declare(link, this.#plans.values())
    } catch (error) {
      // A mismatch will not heal by reconnecting: report it and carry on with what exists.
      if (!(error instanceof TopologyError) || !reconnected) throw error
      this.#reportError(error)
    }
    try {
      await this.#delay.setup(link)
    } catch (error) {
      // Immediate publishes and consumers must not wait on the delay levels: report and go on.
      if (!(error instanceof TopologyError)) throw error
      this.#reportError(error)
    }
    await this.#publisher.attach(link)
    this.#rpc.attach(link)
    for (const consumer of this.#consumers) await consumer.attach(link)
    for (const schedule of this.#schedules) {
      // One schedule's lock queue refused must not stop the others or the connection.
      await schedule.attach(link).catch((error: unknown) => this.#reportError(error as Error))
    }
  }

  /**
   * Asks this connection's broker whether it delays retries, when a queue wants it to: on every
   * connection, since a reconnect may reach another node. Broker-mode queues fall back to their
   * tiers where it does not, with a warning.
   */
  async #probe(link: Link): Promise<void> {
    const queues = [...this.#plans.values()].filter((p) => p.brokerRetry).map((p) => p.name)
    if (queues.length === 0) return
    const support = await probeDelayedRetry(link.model)
    this.#delayedRetry = support
    const fields = { queues, serverVersion: link.serverVersion, reason: support.reason }
    if (support.supported) {
      this.#options.logger.info({ event: 'delayed-retry', ...fields }, 'broker retry mode in use')
    } else {
      this.#options.logger.warn(
        { event: 'delayed-retry-unavailable', ...fields },
        `retry mode 'broker' falls back to tiers: ${support.reason}`,
      )
    }
  }

  #declare(link: Link, plans: Iterable<QueuePlan>): Promise<void> {
    return declareTopology(
      link.model,
      this.#options.topology,
      plans,
      brokerFeatures(link.serverVersion, this.#delayedRetry?.supported === true),
    )
  }

  #reportError(error: Error): void {
    this.#options.logger.error({ event: 'error', error: errorFields(error) }, error.message)
    if (this.listenerCount('error') > 0) this.emit('error', error)
  }
}

/**
 * Connects to RabbitMQ (a URL or a cluster's list), declares the topology and resolves with a
 * `Broker`. Rejects with `TopologyError` when an existing queue's arguments differ.
 *
 * @example
 * const broker = await connect({ url: process.env.WARREN_AMQP_URL, topology, service: 'billing' })
 */
export async function connect<const T extends TopologyDefinition>(
  options: ConnectOptions<T> = {},
): Promise<Broker<T>> {
  const broker = new Broker<T>(options, {
    metrics: options.metrics ? await loadMetrics(options.metrics) : undefined,
    tracing: options.tracing ? await loadTracing(options.tracing) : undefined,
  })
  await broker.start()
  return broker
}
