// Over 200 lines on purpose: this is the public `Broker` API, one method per call with its docs
// and typed signature. Every decision lives in a part (publish/route, publish/envelope, runtime,
// parts, topology/setup, consume/, rpc/, schedule/); the methods here only hand over to them.
import { EventEmitter } from 'node:events'
import type { Registry } from 'prom-client'
import type { z } from 'zod'
import type { BatchHandler } from './batch/batcher.js'
import { consumeInBatches } from './batch/consume-batch.js'
import type { BatchConsumeOptions } from './batch/options.js'
import type { BrokerLike } from './broker-like.js'
import type { BrokerDiagnostics, BrokerEvents, Instruments } from './broker-types.js'
import { followConnection } from './connection-events.js'
import { ConnectionManager, type Link } from './connection/connection-manager.js'
import { Consumer, type ConsumerHandle } from './consume/consumer.js'
import type { Handler, HandlerMap, Handlers } from './consume/message.js'
import { DelayedDelivery } from './delay/delayed-delivery.js'
import { toMs } from './duration.js'
import { ClosedError, TopologyError, WarrenError } from './errors.js'
import { errorFields } from './logging/logger.js'
import { loadMetrics } from './metrics/metrics.js'
import type { GaugeSource } from './metrics/observers.js'
import {
  resolveConnectOptions,
  resolveConsumeOptions,
  type ConnectOptions,
  type ConsumeOptions,
  type PublishOptions,
  type ResolvedConnectOptions,
} from './options.js'
import { Parts } from './parts.js'
import { Publisher } from './publish/publisher.js'
import { Publishing, type BatchItem } from './publish/route.js'
import { RpcClient } from './rpc/client.js'
import { DEFAULT_REQUEST_TIMEOUT, type RequestOptions } from './rpc/options.js'
import { replyingHandler, type Responder } from './rpc/respond.js'
import { createRuntime, type Runtime } from './runtime.js'
import type { ScheduleOptions } from './schedule/options.js'
import { Schedule, type ScheduleHandle } from './schedule/schedule.js'
import { createSchedule } from './schedule/start.js'
import { TopologySetup } from './topology/setup.js'
import type {
  ConsumeBody,
  ExchangeName,
  PublishBody,
  QueueName,
  RoutingKey,
  TopologyDefinition,
} from './topology/types.js'
import { loadTracing } from './tracing/tracing.js'

export type { BrokerDiagnostics, BrokerEvents } from './broker-types.js'
export type { BatchItem } from './publish/route.js'
export type { Handlers } from './consume/message.js'

/** Listeners on a broker's reply channel, for the test that they stay constant. @internal */
export let replyChannelListeners: <T extends TopologyDefinition>(broker: Broker<T>) => number

/**
 * A connection to RabbitMQ with its declared topology: publish with confirms, consume with
 * retries and dead letters. Obtain one with `connect()`; the package exports the class as a type.
 */
export class Broker<T extends TopologyDefinition = TopologyDefinition>
  extends EventEmitter<BrokerEvents>
  implements BrokerLike<T>
{
  static {
    replyChannelListeners = (broker) => broker.#rpc.listeners
  }

  readonly #options: ResolvedConnectOptions
  readonly #connection: ConnectionManager
  readonly #topology: TopologySetup
  readonly #runtime: Runtime
  readonly #publishing: Publishing
  readonly #parts = new Parts()
  readonly #rpc: RpcClient
  readonly #delay: DelayedDelivery
  #closed = false
  readonly #gauges: GaugeSource = {
    buffered: () => this.#runtime.publisher.buffered,
    inFlight: () => this.#parts.of(Consumer).map((c) => ({ queue: c.queue, active: c.active })),
  }

  /** @internal use `connect()` */
  constructor(options: ConnectOptions<T>, instruments: Instruments = {}) {
    super()
    this.#options = resolveConnectOptions(options)
    this.#topology = new TopologySetup(this.#options.topology, this.#options.logger)
    const publisher = new Publisher(this.#options)
    this.#runtime = createRuntime(this.#options, publisher, instruments, {
      link: () => this.#connection.link,
      delayedRetry: () => this.#topology.delayedRetry?.supported === true,
      closed: () => this.#closed,
    })
    this.#delay = new DelayedDelivery(this.#runtime)
    this.#rpc = new RpcClient(this.#runtime)
    this.#publishing = new Publishing(this.#runtime, {
      now: (exchange, routingKey, { content, properties }, timeoutMs) =>
        publisher.publish(exchange, routingKey, content, properties, timeoutMs),
      later: (exchange, routingKey, envelope, delayMs, timeoutMs) =>
        this.#delay.publish(exchange, routingKey, envelope, delayMs, timeoutMs),
    })
    // Immediate publishes and consumers must not wait on the delay levels.
    this.#parts.add(this.#delay, 'topology')
    this.#parts.add(publisher)
    this.#parts.add(this.#rpc)
    publisher.observer = instruments.metrics
    instruments.metrics?.attach(this.#gauges)
    this.#connection = new ConnectionManager(this.#options, (link, reconnected) =>
      this.#setup(link, reconnected),
    )
    followConnection(this.#connection, this.#runtime, this.#parts, this)
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
    return this.#runtime.metrics?.registry
  }

  /**
   * Publishes one message and resolves once the broker confirmed it (with `delay`, once the delay
   * levels hold it). A body whose message (`options.type`, else the routing key) has a schema is
   * validated first (`ValidationError`, nothing sent); a message no queue receives rejects with
   * `UnroutableError`.
   *
   * @example
   * await broker.publish('orders', 'order.created', { orderId: 'o-1', amount: 12 })
   */
  publish<E extends ExchangeName<T>, RK extends RoutingKey<T, E>, N extends string = RK>(
    exchange: E,
    routingKey: RK,
    body: PublishBody<T, N>,
    options?: PublishOptions & { type?: N },
  ): Promise<void> {
    return this.#publishing.publish(exchange, routingKey, body, options)
  }

  /**
   * Publishes many messages, pipelined, and resolves when all are confirmed. Every body is
   * validated before anything is sent. Rejects with the first failure.
   */
  publishBatch(items: readonly BatchItem<ExchangeName<T>>[]): Promise<void> {
    return this.#publishing.batch(items)
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
    const plan = this.#topology.plans.get(queue)
    if (!plan) {
      throw new WarrenError('UNKNOWN_QUEUE', `queue '${queue}' is not part of the topology`)
    }
    const consumer: Consumer = new Consumer(
      {
        ...this.#runtime,
        redeclare: (p, link) => this.#topology.declare(link, [p]),
        onBrokerCancel: (q, phase) =>
          this.emit(phase === 'cancelled' ? 'consumer-cancelled' : 'consumer-resumed', {
            queue: q,
          }),
        onClosed: (c) => this.#parts.delete(c),
      },
      plan,
      handler as Handler<unknown> | HandlerMap,
      resolveConsumeOptions(options),
      this.#options.closeTimeoutMs,
    )
    this.#parts.add(consumer)
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
    return consumeInBatches(
      (each, consumeOptions) => this.consume(queue, each, consumeOptions),
      handler as BatchHandler,
      options,
    )
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
  request<E extends ExchangeName<T>, RK extends RoutingKey<T, E>, S extends z.ZodType>(
    exchange: E,
    routingKey: RK,
    body: PublishBody<T, RK>,
    options: RequestOptions & { reply: S },
  ): Promise<z.output<S>>
  request<R = unknown, E extends ExchangeName<T> = ExchangeName<T>, RK extends string = string>(
    exchange: E,
    routingKey: RK & RoutingKey<T, E>,
    body: PublishBody<T, RK>,
    options?: RequestOptions,
  ): Promise<R>
  request(
    exchange: string,
    routingKey: string,
    body: unknown,
    options: RequestOptions = {},
  ): Promise<unknown> {
    try {
      const { content, properties } = this.#publishing.envelope(routingKey, body, options)
      const timeoutMs = toMs(options.timeout ?? DEFAULT_REQUEST_TIMEOUT)
      return this.#rpc.request(exchange, routingKey, content, properties, timeoutMs, options.reply)
    } catch (error) {
      return Promise.reject(error as Error)
    }
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
    return this.consume(queue, replyingHandler(this.#runtime, responder as Responder), options)
  }

  /** Internal counts: open requests and the retry modes in use. */
  get diagnostics(): BrokerDiagnostics {
    return {
      pendingRequests: this.#rpc.pending,
      delayedRetry: this.#topology.delayedRetry,
      retry: this.#topology.retryModes(),
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
  async schedule<E extends ExchangeName<T>, RK extends RoutingKey<T, E>>(
    cron: string,
    exchange: E,
    routingKey: RK,
    body: PublishBody<T, RK> | (() => PublishBody<T, RK> | Promise<PublishBody<T, RK>>),
    options: ScheduleOptions = {},
  ): Promise<ScheduleHandle> {
    if (this.#closed) throw new ClosedError()
    const schedule = createSchedule(
      this.#runtime,
      this.#publishing,
      { cron, exchange, routingKey, body },
      options,
      (s) => this.#parts.delete(s),
    )
    // One schedule's lock queue refused must not stop the others or the connection.
    this.#parts.add(schedule, 'report')
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
    const { publisher, metrics } = this.#runtime
    await Promise.all(this.#parts.of(Schedule).map((schedule) => schedule.cancel()))
    await Promise.all(this.#parts.of(Consumer).map((consumer) => consumer.cancel()))
    await this.#rpc.close()
    await this.#delay.close(this.#options.closeTimeoutMs)
    if (this.#connection.link) await publisher.drain(this.#options.closeTimeoutMs)
    await publisher.close()
    await this.#connection.close()
    metrics?.detach(this.#gauges)
  }

  async #setup(link: Link, reconnected: boolean): Promise<void> {
    this.#runtime.publisher.setBlocked(false)
    await this.#topology.probe(link)
    try {
      await this.#topology.declare(link)
    } catch (error) {
      // A mismatch will not heal by reconnecting: report it and carry on with what exists.
      if (!(error instanceof TopologyError) || !reconnected) throw error
      this.#reportError(error)
    }
    await this.#parts.attach(link, (error) => this.#reportError(error))
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
