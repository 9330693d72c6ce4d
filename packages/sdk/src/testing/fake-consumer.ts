import type { Schema } from '../schema.js'
import type { ConsumerHandle } from '../consume/consumer.js'
import type { Handler, HandlerMap } from '../consume/message.js'
import { copyOfFailure, processDelivery, type Pipeline } from '../consume/pipeline.js'
import type { DeadLetterReason } from '../headers.js'
import type { ResolvedConsumeOptions } from '../options.js'
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
  messages: Readonly<Record<string, Schema>> | undefined
  consumerId: string
  settled: (stored: Stored, settled: Settled) => void
  onClosed: (consumer: FakeConsumer) => void
}

let deliveryTag = 0

/**
 * Runs the real consumer's pipeline (decoding, validation, idempotency, timeout, failure routing)
 * and applies its outcome to the fake's queues instead of a channel.
 */
export class FakeConsumer implements ConsumerHandle {
  readonly #pipeline: Pipeline
  #active = 0
  #cancelled = false
  #idleWaiters: (() => void)[] = []

  constructor(
    private readonly context: FakeConsumerContext,
    handler: Handler<unknown> | HandlerMap,
    private readonly options: ResolvedConsumeOptions,
  ) {
    this.#pipeline = { plan: context.plan, handler, options, messages: context.messages }
  }

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
    const delivery = toDelivery(stored, ++deliveryTag)
    const outcome = await processDelivery(this.#pipeline, delivery)
    if (outcome.kind !== 'fail') return { kind: 'ack' }
    const { route } = outcome
    // No dead-letter queue: the real consumer rejects it to whatever dead-lettering an operator
    // set up on the broker, and the fake has none.
    if (route.queue === undefined) return { kind: 'dropped' }
    const options = copyOfFailure(delivery, outcome, this.queue, this.context.consumerId)
    const copy: Stored = {
      exchange: '',
      routingKey: route.queue,
      content: stored.content,
      properties: toProperties(options),
    }
    return route.kind === 'retry'
      ? { kind: 'retry', queue: route.queue, delayMs: route.delayMs, copy }
      : { kind: 'dead-letter', queue: route.queue, reason: route.reason, copy }
  }
}
