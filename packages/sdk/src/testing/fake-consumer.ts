import type { z } from 'zod'
import type { ConsumerHandle } from '../consume/consumer.js'
import { decodeBody, originalRoutingKey } from '../consume/decode.js'
import type { Handler, HandlerMap, Message } from '../consume/message.js'
import { runHandler } from '../consume/run-handler.js'
import { failureCopyOptions } from '../dead-letter/failure-copy.js'
import { failureHeaders } from '../dead-letter/failure-headers.js'
import { WarrenError } from '../errors.js'
import { HEADERS, type DeadLetterReason } from '../headers.js'
import type { ResolvedConsumeOptions } from '../options.js'
import { routeFailure, type FailureRoute } from '../retry/plan.js'
import type { QueuePlan } from '../topology/plan.js'
import { toDelivery, toProperties, type Stored } from './message.js'

/** How a delivery ended, and the copy a failure produced. */
export type Settled =
  | { kind: 'ack' }
  | { kind: 'retry'; queue: string; delayMs: number; copy: Stored }
  | { kind: 'dead-letter'; queue: string; reason: DeadLetterReason; copy: Stored }
  | { kind: 'dropped' }

export interface FakeConsumerContext {
  plan: QueuePlan
  messages: Readonly<Record<string, z.ZodType>> | undefined
  consumerId: string
  settled: (stored: Stored, settled: Settled) => void
  onClosed: (consumer: FakeConsumer) => void
}

let deliveryTag = 0

/** Runs handlers as the real consumer does: same decoding, timeout, idempotency and routing. */
export class FakeConsumer implements ConsumerHandle {
  #active = 0
  #cancelled = false
  #idleWaiters: (() => void)[] = []

  constructor(
    private readonly context: FakeConsumerContext,
    private readonly handler: Handler<unknown> | HandlerMap,
    private readonly options: ResolvedConsumeOptions,
  ) {}

  get queue(): string {
    return this.context.plan.name
  }

  get active(): number {
    return this.#active
  }

  hasRoom(): boolean {
    return !this.#cancelled && this.#active < this.options.concurrency
  }

  deliver(stored: Stored): void {
    this.#active++
    void this.#run(stored)
  }

  async cancel(): Promise<void> {
    if (this.#cancelled) return
    this.#cancelled = true
    if (this.#active > 0) await new Promise<void>((resolve) => this.#idleWaiters.push(resolve))
    this.context.onClosed(this)
  }

  async #run(stored: Stored): Promise<void> {
    let settled: Settled = { kind: 'dropped' }
    try {
      settled = await this.#process(stored)
    } catch {
      // Only the idempotency store can throw here; the real consumer leaves such a delivery
      // unacked until its channel closes, which for the fake means it is gone.
    } finally {
      this.#active--
      this.context.settled(stored, settled)
      if (this.#active === 0) {
        const waiters = this.#idleWaiters
        this.#idleWaiters = []
        for (const resolve of waiters) resolve()
      }
    }
  }

  async #process(stored: Stored): Promise<Settled> {
    const { plan } = this.context
    const delivery = toDelivery(stored, ++deliveryTag)
    const headers = delivery.properties.headers ?? {}
    const previous = Number(headers[HEADERS.attempt] ?? 0)
    const attempt = (Number.isFinite(previous) && previous > 0 ? previous : 0) + 1
    const routingKey = originalRoutingKey(delivery)
    const decoded = decodeBody(delivery, this.context.messages, routingKey)
    if (!decoded.ok) {
      return this.#fail(stored, attempt, decoded.error, {
        kind: 'dead-letter',
        reason: 'invalid-payload',
        queue: plan.deadLetterQueue,
      })
    }
    const name = messageName(delivery.properties.type, routingKey)
    const handler =
      typeof this.handler === 'function'
        ? this.handler
        : ((this.handler as Readonly<Record<string, Handler<unknown> | undefined>>)[name] ??
          (this.handler as Readonly<Record<string, Handler<unknown> | undefined>>)[routingKey])
    if (!handler) {
      const error = new WarrenError(
        'NO_HANDLER',
        `no handler on '${this.queue}' for message '${name}'`,
      )
      return this.#fail(stored, attempt, error, {
        kind: 'dead-letter',
        reason: 'no-handler',
        queue: plan.deadLetterQueue,
      })
    }
    const messageId = String(delivery.properties.messageId ?? '')
    const idempotency = this.options.idempotency
    const key = `${this.queue}:${messageId}`
    if (idempotency && messageId && !(await idempotency.store.claim(key, idempotency.ttlMs))) {
      return { kind: 'ack' }
    }
    const origin: unknown = headers[HEADERS.originalExchange]
    const message: Message<unknown> = {
      body: decoded.body,
      messageId,
      attempt,
      queue: this.queue,
      routingKey,
      exchange: typeof origin === 'string' ? origin : delivery.fields.exchange,
      redelivered: false,
      headers,
      properties: delivery.properties,
      content: decoded.content,
    }
    try {
      await runHandler(handler, message, this.options.timeoutMs)
      return { kind: 'ack' }
    } catch (error) {
      if (idempotency && messageId) await idempotency.store.release(key).catch(() => {})
      return this.#fail(stored, attempt, error, routeFailure(plan, attempt, error))
    }
  }

  #fail(stored: Stored, attempt: number, error: unknown, route: FailureRoute): Settled {
    if (route.queue === undefined) return { kind: 'dropped' }
    const reason = route.kind === 'dead-letter' ? route.reason : undefined
    const delivery = toDelivery(stored, 0)
    const headers = failureHeaders({
      delivery,
      queue: this.queue,
      attempt,
      error,
      consumer: this.context.consumerId,
      ...(reason && { reason }),
    })
    const copy: Stored = {
      exchange: '',
      routingKey: route.queue,
      content: stored.content,
      properties: toProperties(failureCopyOptions(delivery, headers)),
    }
    return route.kind === 'retry'
      ? { kind: 'retry', queue: route.queue, delayMs: route.delayMs, copy }
      : { kind: 'dead-letter', queue: route.queue, reason: route.reason, copy }
  }
}

function messageName(type: unknown, routingKey: string): string {
  return typeof type === 'string' && type !== '' ? type : routingKey
}
