import type { Options } from 'amqplib'
import type { BatchItem, Handlers } from '../broker.js'
import type { BrokerLike } from '../broker-like.js'
import type { ConsumerHandle } from '../consume/consumer.js'
import type { Handler, HandlerMap } from '../consume/message.js'
import { toMs } from '../duration.js'
import { ClosedError, UnroutableError, WarrenError } from '../errors.js'
import { HEADERS } from '../headers.js'
import { resolveConsumeOptions, type ConsumeOptions, type PublishOptions } from '../options.js'
import { encodeBody } from '../publish/encode.js'
import { uuidv7 } from '../publish/uuid.js'
import { validateBody } from '../publish/validate.js'
import { planTopology, type QueuePlan } from '../topology/plan.js'
import type { ConsumeBody, PublishBody, QueueName, TopologyDefinition } from '../topology/types.js'
import { FakeConsumer, type Settled } from './fake-consumer.js'
import { toProperties, view, type FakeMessage, type Stored } from './message.js'
import { resolveFakeOptions, type FakeBrokerOptions, type ResolvedFakeOptions } from './options.js'
import { bindingMatches } from './routing.js'

/**
 * An in-memory broker with the real one's interface (`BrokerLike`) and semantics: routing by
 * exchange type, schema validation, `UnroutableError`, retry tiers with the `warren-*` headers,
 * dead letters with their reason. Handlers are unit tested without RabbitMQ.
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
  }

  publish<RK extends string>(
    exchange: string,
    routingKey: RK,
    body: PublishBody<T, RK>,
    options: PublishOptions = {},
  ): Promise<void> {
    try {
      const prepared = this.#prepare(routingKey, body, options)
      const delayMs = options.delay === undefined ? 0 : toMs(options.delay)
      if (delayMs > 0 && this.#options.delays === 'timers') {
        // Accepted now, routed when due, as the delay levels do.
        this.#later(delayMs, () => this.#send(exchange, routingKey, prepared))
      } else {
        this.#send(exchange, routingKey, prepared)
      }
      return Promise.resolve()
    } catch (error) {
      return Promise.reject(error as Error)
    }
  }

  /** Validates every body first, then publishes each; rejects with the first failure. */
  async publishBatch(items: readonly BatchItem[]): Promise<void> {
    const prepared = items.map((item) =>
      this.#prepare(item.routingKey, item.body, item.options ?? {}),
    )
    const results = await Promise.allSettled(
      prepared.map(async (p, i) => {
        const item = items[i] as BatchItem
        this.#send(item.exchange, item.routingKey, p)
      }),
    )
    const failed = results.find((r) => r.status === 'rejected')
    if (failed) throw failed.reason
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
    this.#send(exchange, routingKey, {
      content: Buffer.isBuffer(content) ? content : Buffer.from(content),
      options: properties,
    })
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
    await Promise.all([...this.#consumers].map((c) => c.cancel()))
    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()
    this.#checkIdle()
  }

  /** The same checks and properties as the real broker's publish. */
  #prepare(
    routingKey: string,
    body: unknown,
    options: PublishOptions,
  ): { content: Buffer; options: Options.Publish & { messageId: string } } {
    if (this.#closed) throw new ClosedError()
    const schema = this.#options.topology.messages?.[options.type ?? routingKey]
    if (schema) {
      const result = validateBody(schema, body, `message for '${routingKey}'`)
      if (!result.ok) throw result.error
    }
    const { content, contentType } = encodeBody(body)
    const properties: Options.Publish & { messageId: string } = {
      messageId: options.messageId ?? uuidv7(),
      timestamp: Math.floor(Date.now() / 1000),
      contentType,
      type: options.type ?? routingKey,
      appId: this.#options.service,
      persistent: true,
      mandatory: true,
    }
    if (options.headers !== undefined || options.traceparent !== undefined) {
      const headers: Record<string, unknown> = { ...options.headers }
      if (options.traceparent) headers[HEADERS.traceparent] = options.traceparent
      properties.headers = headers
    }
    if (options.correlationId !== undefined) properties.correlationId = options.correlationId
    if (options.priority !== undefined) properties.priority = options.priority
    if (options.expiration !== undefined) properties.expiration = String(toMs(options.expiration))
    return { content, options: properties }
  }

  #send(
    exchange: string,
    routingKey: string,
    prepared: { content: Buffer; options: Options.Publish },
  ): void {
    if (this.#closed) throw new ClosedError()
    const targets = this.#route(exchange, routingKey)
    const properties = toProperties(prepared.options)
    const stored: Stored = { exchange, routingKey, content: prepared.content, properties }
    if (targets.length === 0) {
      throw new UnroutableError({
        exchange,
        routingKey,
        messageId: String(prepared.options.messageId ?? ''),
        reply: 'NO_ROUTE',
      })
    }
    this.#published.push(view(stored))
    for (const queue of targets) this.#enqueue(queue, { ...stored })
  }

  #route(exchange: string, routingKey: string): string[] {
    if (exchange === '') return this.#queues.has(routingKey) ? [routingKey] : []
    const definition = this.#options.topology.exchanges?.[exchange]
    if (!definition) {
      throw new WarrenError('EXCHANGE_NOT_FOUND', `exchange '${exchange}' does not exist`)
    }
    const targets: string[] = []
    for (const plan of this.#plans.values()) {
      const bound = plan.bindings.some(
        (b) => b.exchange === exchange && bindingMatches(definition.type, b.routingKey, routingKey),
      )
      if (bound) targets.push(plan.name)
    }
    return targets
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
