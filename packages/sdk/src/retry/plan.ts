import type { DeadLetterReason } from '../headers.js'
import { NonRetryableError } from '../errors.js'
import type { QueuePlan } from '../topology/plan.js'

/**
 * Where a failed attempt goes: a retry tier (`via: 'tier'`), back to its own queue for the
 * broker to hold (`via: 'broker'`, `queue` is the work queue), or the dead-letter queue.
 */
export type FailureRoute =
  | { kind: 'retry'; queue: string; delayMs: number; via: 'tier' | 'broker' }
  | { kind: 'dead-letter'; reason: DeadLetterReason; queue: string | undefined }

/**
 * Attempt `attempt` (1-based) failed with `error`: the tier for that attempt (or, `brokerRetry`,
 * the broker's delay, which is the same) or the DLQ.
 */
export function routeFailure(
  plan: QueuePlan,
  attempt: number,
  error: unknown,
  brokerRetry = false,
): FailureRoute {
  if (error instanceof NonRetryableError) {
    return { kind: 'dead-letter', reason: 'non-retryable', queue: plan.deadLetterQueue }
  }
  const tier = plan.retryTiers[attempt - 1]
  if (attempt >= plan.maxAttempts || !tier) {
    return { kind: 'dead-letter', reason: 'max-attempts', queue: plan.deadLetterQueue }
  }
  if (brokerRetry) return { kind: 'retry', queue: plan.name, delayMs: tier.delayMs, via: 'broker' }
  return { kind: 'retry', queue: tier.queue, delayMs: tier.delayMs, via: 'tier' }
}
