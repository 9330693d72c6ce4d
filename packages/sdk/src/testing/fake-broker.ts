// Over 300 lines on purpose: the public `FakeBroker` API mirrors `Broker`'s, one method per call
// with its docs, over one in-memory transport (queues, routing, dispatch, retry tiers); requests,
// schedules and routing rules are parts of their own (fake-requests, fake-schedule, routing).
import type { Options } from 'amqplib'
import type { Schema, SchemaOutput } from '../schema.js'
import type { BatchHandler } from '../batch/batcher.js'
import { consumeInBatches } from '../batch/consume-batch.js'
import type { BatchConsumeOptions } from '../batch/options.js'
import type { BrokerLike } from '../broker-like.js'
import type { ConsumerHandle } from '../consume/consumer.js'
import type { Handler, HandlerMap, Handlers } from '../consume/message.js'
import { toMs } from '../duration.js'
import { ClosedError, UnroutableError, WarrenError } from '../errors.js'
import { resolveConsumeOptions, type ConsumeOptions, type PublishOptions } from '../options.js'
import { Publishing, type BatchItem } from '../publish/route.js'
import { DEFAULT_REQUEST_TIMEOUT, type RequestOptions } from '../rpc/options.js'
import { replyingHandler, type Responder } from '../rpc/respond.js'
import {
  parseCron,
  scheduleName,
  tickMessage,
  tickOptions,
  type ScheduleOptions,
} from '../schedule/options.js'
import type { ScheduleHandle } from '../schedule/schedule.js'
import { planTopology, type QueuePlan } from '../topology/plan.js'
import type {
  ConsumeBody,
  ExchangeName,
  PublishBody,
  QueueName,
  RoutingKey,
  TopologyDefinition,
} from '../topology/types.js'
import { FakeConsumer, type Settled } from './fake-consumer.js'
import { FakeRequests } from './fake-requests.js'
import { FakeSchedules } from './fake-schedule.js'
import { toProperties, view, type FakeMessage, type Stored } from './message.js'
import { resolveFakeOptions, type FakeBrokerOptions, type ResolvedFakeOptions } from './options.js'
import { routeMessage } from './routing.js'

/**
 * An in-memory broker with the real one's interface (`BrokerLike`) and semantics: routing by
 * exchange type, the real envelope (schema validation, properties, headers), `UnroutableError`,
 * retry tiers with the `warren-*` headers, dead letters with their reason, request/reply, batch
 * consumers and schedules (which tick when the test calls `tick()`). Only the transport is fake:
 * publishes take the real broker's path (`publish/route.ts`), so they cannot drift apart.
 *
 * @example
 * const fake = new FakeBroker({ topology })
 * await startBilling(fake)
 * await fake.publish('orders', 'order.created', { orderId: 'o-1', amount: 12 })
 * await fake.drain()
 * expect(fake.deadLetters('billing.charge')).toEqual([])
 */
export class FakeBroker<
  T extends TopologyDefinition = TopologyDefinition,
> implements BrokerLike<T> {
  readonly #options: ResolvedFakeOptions
  readonly #plans: Map<string, QueuePlan>
  readonly #queues = new Map<string, Stored[]>()
  readonly #consumers = new Set<FakeConsumer>()
  readonly #published: FakeMessage[] = []
  readonly #timers = new Set<NodeJS.Timeout>()
  readonly #publishing: Publishing
  readonly #requests = new FakeRequests()
  readonly #schedules = new FakeSchedules()
  #idleWaiters: (() => void)[] = []
  #dispatchQueued = false
  #closed = false

  constructor(options: FakeBrokerOptions<T> = {}) {
    this.#options = resolveFakeOptions(options)
    this.#plans = planTopology(this.#options.topology)
    for (const plan of this.#plans.values()) {
      this.#queues.set(plan.name, [])
      for (const tier of plan.retryTiers) this.#queues.set(tier.queue, [])
      if (plan.deadLetterQueue) this.#queues.set(plan.deadLetterQueue, [])
    }
    const context = {
      messages: this.#options.topology.messages,
      service: this.#options.service,
      keyring: undefined,
      tracing: undefined,
      closed: () => this.#closed,
    }
    this.#publishing = new Publishing(context, {
      now: (exchange, routingKey, envelope) => {
        this.#send(exchange, routingKey, envelope)
        return Promise.resolve()
      },
      later: (exchange, routingKey, envelope, delayMs) => {
        // Accepted now, routed when due, as the delay levels do.
        if (this.#options.delays === 'timers') {
          this.#later(delayMs, () => this.#send(exchange, routingKey, envelope))
        } else {
          this.#send(exchange, routingKey, envelope)
        }
        return Promise.resolve()
      },
    })
  }

  publish<E extends ExchangeName<T>, RK extends RoutingKey<T, E>, N extends string = RK>(
    exchange: E,
    routingKey: RK,
    body: PublishBody<T, N>,
    options?: PublishOptions & { type?: N },
  ): Promise<void> {
    return this.#publishing.publish(exchange, routingKey, body, options)
  }

  /** Validates every body first, then publishes each; rejects with the first failure. */
  publishBatch(items: readonly BatchItem<ExchangeName<T>>[]): Promise<void> {
    return this.#publishing.batch(items)
  }

  /**
   * Publishes raw bytes with the given properties, as a client other than the SDK would (no
   * validation, no SDK properties): for testing what handlers do with foreign messages.
   */
  sendRaw(
    exchange: string,
    routingKey: string,
    content: Buffer | string,
    properties: Options.Publish = {},
  ): void {
    const bytes = Buffer.isBuffer(content) ? content : Buffer.from(content)
    this.#send(exchange, routingKey, { content: bytes, properties })
  }

  consume<Q extends QueueName<T>>(
    queue: Q,
    handler: Handler<ConsumeBody<T, Q>> | Handlers<T>,
    options?: ConsumeOptions,
  ): Promise<ConsumerHandle> {
    if (this.#closed) return Promise.reject(new ClosedError())
    const plan = this.#plans.get(queue)
    if (!plan) {
      return Promise.reject(
        new WarrenError('UNKNOWN_QUEUE', `queue '${queue}' is not part of the topology`),
      )
    }
    const consumer = new FakeConsumer(
      {
        plan,
        messages: this.#options.topology.messages,
        consumerId: this.#options.consumerId,
        settled: (stored, settled) => this.#settled(plan, settled),
        onClosed: (c) => {
          this.#consumers.delete(c)
          this.#checkIdle()
        },
      },
      handler as Handler<unknown> | HandlerMap,
      resolveConsumeOptions(options),
    )
    this.#consumers.add(consumer)
    this.#scheduleDispatch()
    return Promise.resolve(consumer)
  }

  /** As the real `consumeBatch`: the same batcher over a per-message consumer. */
  consumeBatch<Q extends QueueName<T>>(
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

  /** As the real `request`: a responder of this fake answers, or it times out. */
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
    options: RequestOptions = {},
  ): Promise<unknown> {
    try {
      const envelope = this.#publishing.envelope(routingKey, body, options)
      const timeoutMs = toMs(options.timeout ?? DEFAULT_REQUEST_TIMEOUT)
      return this.#requests.request(exchange, routingKey, envelope, timeoutMs, options.reply, (e) =>
        this.#send(exchange, routingKey, e),
      )
    } catch (error) {
      return Promise.reject(error as Error)
    }
  }

  /** As the real `respond`: the same replying handler, its replies going to `request`. */
  respond<Q extends QueueName<T>>(
    queue: Q,
    responder: Responder<ConsumeBody<T, Q>>,
    options?: ConsumeOptions,
  ): Promise<ConsumerHandle> {
    const context = this.#requests.responderContext(this.#options.service, (exchange, rk, e) =>
      this.#send(exchange, rk, e),
    )
    return this.consume(queue, replyingHandler(context, responder as Responder), options)
  }

  /**
   * As the real `schedule`, this instance always the leader; it publishes only when the test
   * calls `tick()`.
   */
  schedule<E extends ExchangeName<T>, RK extends RoutingKey<T, E>>(
    cron: string,
    exchange: E,
    routingKey: RK,
    body: PublishBody<T, RK> | (() => PublishBody<T, RK> | Promise<PublishBody<T, RK>>),
    options: ScheduleOptions = {},
  ): Promise<ScheduleHandle> {
    try {
      if (this.#closed) throw new ClosedError()
      const pattern = parseCron(cron, options.timezone)
      const name = scheduleName(exchange, routingKey, options)
      if (typeof body !== 'function')
        this.#publishing.envelope(routingKey, body, tickOptions(options))
      const run = async (at: Date) => {
        const message = await tickMessage(name, { body, options }, at)
        await this.#publishing.publish(exchange, routingKey, message.body, message.options)
      }
      return Promise.resolve(this.#schedules.add(name, pattern, run))
    } catch (error) {
      return Promise.reject(error as Error)
    }
  }

  /**
   * Fires one tick of the schedule named `name` (every schedule when omitted), as of `at`, and
   * resolves when its message is published: the test decides when a schedule ticks.
   *
   * @example
   * await fake.schedule('0 0 3 * * *', 'reports', 'report.nightly', { kind: 'nightly' })
   * await fake.tick('reports.report.nightly', new Date('2026-01-01T03:00:00Z'))
   */
  tick(name?: string, at: Date = new Date()): Promise<void> {
    return this.#schedules.tick(name, at)
  }

  /** Resolves when every consumed queue is empty, no handler runs and no retry waits. */
  drain(): Promise<void> {
    return new Promise((resolve) => {
      this.#idleWaiters.push(resolve)
      // Let deliveries queued by the caller's last publish start first.
      queueMicrotask(() => this.#checkIdle())
    })
  }

  /** Messages now in `queue` (a work queue, a retry tier `Q.retry.<delay>` or a `Q.dlq`). */
  messages(queue: string): FakeMessage[] {
    return (this.#queues.get(queue) ?? []).map(view)
  }

  /** The dead letters of work queue `queue` (what is in `queue.dlq`). */
  deadLetters(queue: string): FakeMessage[] {
    const plan = this.#plans.get(queue)
    return this.messages(plan?.deadLetterQueue ?? `${queue}.dlq`)
  }

  /** Every message published through this fake, in order (retries and dead letters excluded). */
  get published(): readonly FakeMessage[] {
    return this.#published
  }

  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    await this.#schedules.cancel()
    await Promise.all([...this.#consumers].map((c) => c.cancel()))
    this.#requests.close()
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
    this.#checkIdle()
  }

  /** Routes a message into its queues; `envelope` is the SDK's, or a foreign client's bytes. */
  #send(
    exchange: string,
    routingKey: string,
    envelope: { content: Buffer; properties: Options.Publish },
  ): void {
    if (this.#closed) throw new ClosedError()
    const { topology } = this.#options
    const exists = (queue: string) => this.#queues.has(queue)
    const targets = routeMessage(topology, this.#plans.values(), exists, exchange, routingKey)
    const properties = toProperties(envelope.properties)
    const stored: Stored = { exchange, routingKey, content: envelope.content, properties }
    if (targets.length === 0) {
      throw new UnroutableError({
        exchange,
        routingKey,
        messageId: String(envelope.properties.messageId ?? ''),
        reply: 'NO_ROUTE',
      })
    }
    this.#published.push(view(stored))
    for (const queue of targets) this.#enqueue(queue, { ...stored })
  }

  #enqueue(queue: string, stored: Stored): void {
    this.#queues.get(queue)?.push(stored)
    this.#scheduleDispatch()
  }

  #scheduleDispatch(): void {
    if (this.#dispatchQueued) return
    this.#dispatchQueued = true
    // Deliveries start after the publish returned, as with a real broker.
    queueMicrotask(() => {
      this.#dispatchQueued = false
      this.#dispatch()
    })
  }

  #dispatch(): void {
    for (const consumer of this.#consumers) {
      const queue = this.#queues.get(consumer.queue)
      while (queue && queue.length > 0 && consumer.hasRoom()) {
        consumer.deliver(queue.shift() as Stored)
      }
    }
    this.#checkIdle()
  }

  /** A delivery was settled: the copy its failure produced goes where the real one would. */
  #settled(plan: QueuePlan, settled: Settled): void {
    if (settled.kind === 'retry') {
      this.#enqueue(settled.queue, settled.copy)
      this.#expireLater(plan, settled.queue, settled.copy, settled.delayMs)
    } else if (settled.kind === 'dead-letter') {
      this.#enqueue(settled.queue, settled.copy)
    }
    this.#scheduleDispatch()
  }

  /** The tier's TTL: the broker dead-letters the copy back to the work queue, with `x-death`. */
  #expireLater(plan: QueuePlan, tier: string, copy: Stored, delayMs: number): void {
    const expire = () => {
      const waiting = this.#queues.get(tier) ?? []
      const index = waiting.indexOf(copy)
      if (index === -1) return
      waiting.splice(index, 1)
      const headers = { ...copy.properties.headers }
      headers['x-death'] = [
        {
          count: 1,
          reason: 'expired',
          queue: tier,
          time: { '!': 'timestamp', value: Math.floor(Date.now() / 1000) },
          exchange: '',
          'routing-keys': [tier],
        },
      ]
      this.#enqueue(plan.name, {
        exchange: '',
        routingKey: plan.name,
        content: copy.content,
        properties: { ...copy.properties, headers },
      })
    }
    if (this.#options.delays === 'immediate') expire()
    else this.#later(delayMs, expire)
  }

  #later(delayMs: number, run: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer)
      try {
        run()
      } catch {
        // A delayed publish whose route vanished is dropped, as the delay levels would.
      }
      this.#checkIdle()
    }, delayMs)
    this.#timers.add(timer)
  }

  #idle(): boolean {
    if (this.#dispatchQueued || this.#timers.size > 0) return false
    for (const consumer of this.#consumers) {
      if (consumer.active > 0) return false
      if ((this.#queues.get(consumer.queue)?.length ?? 0) > 0) return false
    }
    return true
  }

  #checkIdle(): void {
    if (this.#idleWaiters.length === 0 || !this.#idle()) return
    const waiters = this.#idleWaiters
    this.#idleWaiters = []
    for (const resolve of waiters) resolve()
  }
}
