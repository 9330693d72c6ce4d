import { EventEmitter } from 'node:events'
import type { Schema, SchemaOutput } from './schema.js'
import type { BatchHandler } from './batch/batcher.js'
import { consumeInBatches } from './batch/consume-batch.js'
import type { BatchConsumeOptions } from './batch/options.js'
import type { BrokerLike } from './broker-like.js'
import type { BrokerDiagnostics, BrokerEvents, Instruments } from './broker-types.js'
import type { ConsumerHandle } from './consume/consumer.js'
import type { Handler, HandlerMap, Handlers } from './consume/message.js'
import { Lifecycle, loadInstruments } from './lifecycle.js'
import type { MetricsRegistry } from './metrics/prom-client-types.js'
import {
  resolveConnectOptions,
  type ConnectOptions,
  type ConsumeOptions,
  type PublishOptions,
} from './options.js'
import type { BatchItem } from './publish/route.js'
import type { RequestOptions } from './rpc/options.js'
import { replyingHandler, type Responder } from './rpc/respond.js'
import type { ScheduleOptions } from './schedule/options.js'
import type { ScheduleHandle } from './schedule/schedule.js'
import type {
  ConsumeBody,
  ExchangeName,
  PublishBody,
  QueueName,
  RoutingKey,
  TopologyDefinition,
} from './topology/types.js'

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
    replyChannelListeners = (broker) => broker.#life.rpc.listeners
  }

  readonly #life: Lifecycle

  /** @internal use `connect()` */
  constructor(options: ConnectOptions<T>, instruments: Instruments = {}) {
    super()
    this.#life = new Lifecycle(resolveConnectOptions(options), instruments, this)
  }

  /** @internal */
  async start(): Promise<void> {
    await this.#life.connection.start()
  }

  /** The RabbitMQ version of the current connection, undefined while disconnected. */
  get serverVersion(): string | undefined {
    return this.#life.connection.link?.serverVersion
  }

  get connected(): boolean {
    return this.#life.connection.link !== undefined
  }

  /**
   * The prom-client registry holding the `warren_*` metrics, undefined unless `connect()` was
   * given `metrics`.
   *
   * @example
   * app.get('/metrics', async () => new Response(await broker.metrics?.metrics()))
   */
  get metrics(): MetricsRegistry | undefined {
    return this.#life.runtime.metrics?.registry
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
    return this.#life.publishing.publish(exchange, routingKey, body, options)
  }

  /**
   * Publishes many messages, pipelined, and resolves when all are confirmed. Every body is
   * validated before anything is sent. Rejects with the first failure.
   */
  publishBatch(items: readonly BatchItem<ExchangeName<T>>[]): Promise<void> {
    return this.#life.publishing.batch(items)
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
    return this.#life.consume(queue, handler as Handler<unknown> | HandlerMap, options)
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
  request<E extends ExchangeName<T>, RK extends RoutingKey<T, E>, S extends Schema>(
    exchange: E,
    routingKey: RK,
    body: PublishBody<T, RK>,
    options: RequestOptions & { reply: S },
  ): Promise<SchemaOutput<S>>
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
    options?: RequestOptions,
  ): Promise<unknown> {
    return this.#life.request(exchange, routingKey, body, options)
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
    return this.consume(queue, replyingHandler(this.#life.runtime, responder as Responder), options)
  }

  /** Internal counts: open requests and the retry modes in use. */
  get diagnostics(): BrokerDiagnostics {
    return this.#life.diagnostics
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
    return this.#life.schedule({ cron, exchange, routingKey, body }, options)
  }

  /** Cancels consumers (their running handlers finish), waits for outstanding confirms, closes. */
  close(): Promise<void> {
    return this.#life.close()
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
  const broker = new Broker<T>(options, await loadInstruments(options))
  await broker.start()
  return broker
}
