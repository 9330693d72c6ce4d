import { toMs } from '../duration.js'
import { brokerRetryOf, checkBrokerRetry, type BrokerRetry } from '../retry/broker-mode.js'
import { deadLetterQueueName, retryQueueName } from './names.js'
import { checkMaxPriority } from './priority.js'
import type { QueueDefinition, RetryDefinition, TopologyDefinition } from './types.js'

export const DEFAULT_RETRY: RetryDefinition = { delays: ['1s', '10s', '1m'], maxAttempts: 4 }
export const DEFAULT_DELIVERY_LIMIT = 20

/** A work queue with every default applied: what is declared and how failures are routed. */
export interface QueuePlan {
  name: string
  type: 'quorum' | 'classic'
  deliveryLimit: number
  /** `undefined` when the queue has no dead-letter queue. */
  deadLetterQueue: string | undefined
  maxAttempts: number
  /** The tier queue for each retry: `retryTiers[n-1]` after attempt n fails. */
  retryTiers: { queue: string; delayMs: number }[]
  /**
   * Retry mode `broker` was asked for: the broker's schedule for the same delays. Used where
   * the connect-time probe found native delayed retry; elsewhere the tiers above are.
   */
  brokerRetry: BrokerRetry | undefined
  bindings: { exchange: string; routingKey: string }[]
  /** `x-max-priority` of the work queue, undefined for none. */
  maxPriority: number | undefined
  arguments: Readonly<Record<string, unknown>>
}

export function planQueue(name: string, definition: QueueDefinition): QueuePlan {
  checkMaxPriority(name, definition)
  checkBrokerRetry(name, definition)
  const retry =
    definition.retry === false
      ? { delays: [], maxAttempts: 1 }
      : (definition.retry ?? DEFAULT_RETRY)
  const retryTiers: QueuePlan['retryTiers'] = []
  for (let attempt = 1; attempt < retry.maxAttempts; attempt++) {
    // Fewer delays than retries: the last delay is reused.
    const delay = retry.delays[Math.min(attempt, retry.delays.length) - 1]
    if (delay === undefined) break
    retryTiers.push({ queue: retryQueueName(name, delay), delayMs: toMs(delay) })
  }
  const schedule =
    retry.mode === 'broker' ? brokerRetryOf(retryTiers.map((t) => t.delayMs)) : undefined
  return {
    name,
    type: definition.type ?? 'quorum',
    deliveryLimit: definition.deliveryLimit ?? DEFAULT_DELIVERY_LIMIT,
    deadLetterQueue: definition.deadLetter === false ? undefined : deadLetterQueueName(name),
    maxAttempts: retry.maxAttempts,
    retryTiers,
    brokerRetry: typeof schedule === 'object' ? schedule : undefined,
    bindings: (definition.bindings ?? []).map((b) => ({
      exchange: b.exchange,
      routingKey: b.routingKey ?? '',
    })),
    maxPriority: definition.maxPriority,
    arguments: definition.arguments ?? {},
  }
}

export function planTopology(topology: TopologyDefinition): Map<string, QueuePlan> {
  const plans = new Map<string, QueuePlan>()
  for (const [name, definition] of Object.entries(topology.queues ?? {})) {
    plans.set(name, planQueue(name, definition))
  }
  return plans
}
