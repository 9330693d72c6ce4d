import type { EventEmitter } from 'node:events'
import type { BrokerDiagnostics, BrokerEvents, Instruments } from './broker-types.js'
import { followConnection } from './connection-events.js'
import { ConnectionManager, type Link } from './connection/connection-manager.js'
import { Consumer } from './consume/consumer.js'
import type { Handler, HandlerMap } from './consume/message.js'
import { createConsumer } from './consume/start.js'
import { DelayedDelivery } from './delay/delayed-delivery.js'
import { toMs } from './duration.js'
import { ClosedError, TopologyError } from './errors.js'
import { errorFields } from './logging/logger.js'
import { loadMetrics } from './metrics/metrics.js'
import type { GaugeSource } from './metrics/observers.js'
import type { ConnectOptions, ConsumeOptions, ResolvedConnectOptions } from './options.js'
import { Parts, type AttachFailure, type Part } from './parts.js'
import { Publisher } from './publish/publisher.js'
import { Publishing } from './publish/route.js'
import { RpcClient } from './rpc/client.js'
import { DEFAULT_REQUEST_TIMEOUT, type RequestOptions } from './rpc/options.js'
import { createRuntime, type Runtime } from './runtime.js'
import type { ScheduleOptions } from './schedule/options.js'
import { Schedule } from './schedule/schedule.js'
import { createSchedule, type ScheduleJob } from './schedule/start.js'
import { TopologySetup } from './topology/setup.js'
import { loadTracing } from './tracing/tracing.js'

/**
 * A broker's life, apart from its public face: the parts it is made of and how they are wired,
 * what each new connection does (declare the topology, attach every part), and the order in
 * which they close. `Broker` holds one and hands each call to the part that owns it.
 */
export class Lifecycle {
  readonly connection: ConnectionManager
  readonly topology: TopologySetup
  readonly runtime: Runtime
  readonly publishing: Publishing
  readonly rpc: RpcClient
  readonly #parts = new Parts()
  readonly #delay: DelayedDelivery
  #closed = false
  readonly #gauges: GaugeSource = {
    buffered: () => this.runtime.publisher.buffered,
    inFlight: () => this.#parts.of(Consumer).map((c) => ({ queue: c.queue, active: c.active })),
  }

  constructor(
    readonly options: ResolvedConnectOptions,
    instruments: Instruments,
    private readonly events: EventEmitter<BrokerEvents>,
  ) {
    this.topology = new TopologySetup(options.topology, options.logger)
    const publisher = new Publisher(options)
    this.runtime = createRuntime(options, publisher, instruments, {
      link: () => this.connection.link,
      delayedRetry: () => this.topology.delayedRetry?.supported === true,
      closed: () => this.#closed,
    })
    this.#delay = new DelayedDelivery(this.runtime)
    this.rpc = new RpcClient(this.runtime)
    this.publishing = new Publishing(this.runtime, {
      now: (exchange, routingKey, { content, properties }, timeoutMs) =>
        publisher.publish(exchange, routingKey, content, properties, timeoutMs),
      later: (exchange, routingKey, envelope, delayMs, timeoutMs) =>
        this.#delay.publish(exchange, routingKey, envelope, delayMs, timeoutMs),
    })
    // Immediate publishes and consumers must not wait on the delay levels.
    this.#parts.add(this.#delay, 'topology')
    this.#parts.add(publisher)
    this.#parts.add(this.rpc)
    publisher.observer = instruments.metrics
    instruments.metrics?.attach(this.#gauges)
    this.connection = new ConnectionManager(options, (link, reconnected) =>
      this.#setup(link, reconnected),
    )
    followConnection(this.connection, this.runtime, this.#parts, events)
  }

  /** Throws `ClosedError` once `close()` was called: nothing new may start. */
  assertOpen(): void {
    if (this.#closed) throw new ClosedError()
  }

  /**
   * Adds a part (a consumer, a schedule) and attaches it now when connected; while disconnected
   * the next connection attaches it. Returns once attached; `onFailure` undoes a failed attach.
   */
  async join<P extends Part>(
    part: P,
    failure: AttachFailure = 'fatal',
    onFailure?: (part: P) => Promise<void>,
  ): Promise<P> {
    this.#parts.add(part, failure)
    const link = this.connection.link
    if (!link) return part
    try {
      await part.attach(link)
    } catch (error) {
      await onFailure?.(part)
      throw error
    }
    return part
  }

  /** A consumer of `broker.consume()`: created, joined, and told the broker's events. */
  async consume(
    queue: string,
    handler: Handler<unknown> | HandlerMap,
    options: ConsumeOptions | undefined,
  ): Promise<Consumer> {
    this.assertOpen()
    const consumer = createConsumer(this.runtime, this.topology, queue, handler, options, {
      onBrokerCancel: (q, phase) =>
        this.events.emit(phase === 'cancelled' ? 'consumer-cancelled' : 'consumer-resumed', {
          queue: q,
        }),
      onClosed: (c) => this.leave(c),
      closeTimeoutMs: this.options.closeTimeoutMs,
    })
    // While disconnected, the next reconnect attaches it.
    return this.join(consumer)
  }

  /** A schedule of `broker.schedule()`; one whose lock queue is refused stops nothing else. */
  async schedule(job: ScheduleJob, options: ScheduleOptions): Promise<Schedule> {
    this.assertOpen()
    const schedule = createSchedule(this.runtime, this.publishing, job, options, (s) =>
      this.leave(s),
    )
    return this.join(schedule, 'report', (s) => s.cancel())
  }

  /** A request of `broker.request()`: its envelope is a publish's, its reply the request client's. */
  async request(
    exchange: string,
    routingKey: string,
    body: unknown,
    options: RequestOptions = {},
  ): Promise<unknown> {
    const { content, properties } = this.publishing.envelope(routingKey, body, options)
    const timeoutMs = toMs(options.timeout ?? DEFAULT_REQUEST_TIMEOUT)
    return this.rpc.request(exchange, routingKey, content, properties, timeoutMs, options.reply)
  }

  /** A part that closed itself (a cancelled consumer or schedule) leaves the connection. */
  leave(part: Part): void {
    this.#parts.delete(part)
  }

  get diagnostics(): BrokerDiagnostics {
    return {
      pendingRequests: this.rpc.pending,
      delayedRetry: this.topology.delayedRetry,
      retry: this.topology.retryModes(),
    }
  }

  /** Reports an error to the log, and to the broker's `error` listeners when it has any. */
  reportError(error: Error): void {
    this.options.logger.error({ event: 'error', error: errorFields(error) }, error.message)
    if (this.events.listenerCount('error') > 0) this.events.emit('error', error)
  }

  /** Schedules and consumers first (running handlers finish), then requests, delays, confirms. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const { publisher, metrics } = this.runtime
    const { closeTimeoutMs } = this.options
    await Promise.all(this.#parts.of(Schedule).map((schedule) => schedule.cancel()))
    await Promise.all(this.#parts.of(Consumer).map((consumer) => consumer.cancel()))
    await this.rpc.close()
    await this.#delay.close(closeTimeoutMs)
    if (this.connection.link) await publisher.drain(closeTimeoutMs)
    await publisher.close()
    await this.connection.close()
    metrics?.detach(this.#gauges)
  }

  /** Each new connection: the topology declared (again), then every part attached in order. */
  async #setup(link: Link, reconnected: boolean): Promise<void> {
    this.runtime.publisher.setBlocked(false)
    await this.topology.probe(link)
    try {
      await this.topology.declare(link)
    } catch (error) {
      // A mismatch will not heal by reconnecting: report it and carry on with what exists.
      if (!(error instanceof TopologyError) || !reconnected) throw error
      this.reportError(error)
    }
    await this.#parts.attach(link, (error) => this.reportError(error))
  }
}

/** Loads the optional peers `connect()` was asked for (prom-client, OpenTelemetry). */
export async function loadInstruments(
  options: Pick<ConnectOptions, 'metrics' | 'tracing'>,
): Promise<Instruments> {
  return {
    metrics: options.metrics ? await loadMetrics(options.metrics) : undefined,
    tracing: options.tracing ? await loadTracing(options.tracing) : undefined,
  }
}
