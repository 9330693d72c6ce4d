import type { DeadLetterReason } from '../headers.js'
import { NonRetryableError } from '../errors.js'
import type { QueuePlan } from '../topology/plan.js'

/** Where a failed attempt goes: a retry tier, or the dead-letter queue with a reason. */
export type FailureRoute =
  | { kind: 'retry'; queue: string; delayMs: number }
  | { kind: 'dead-letter'; reason: DeadLetterReason; queue: string | undefined }

/** Attempt `attempt` (1-based) failed with `error`: the tier for that attempt or the DLQ. */
export function routeFailure(plan: QueuePlan, attempt: number, error: unknown): FailureRoute {
  if (error instanceof NonRetryableError) {
    return { kind: 'dead-letter', reason: 'non-retryable', queue: plan.deadLetterQueue }
  }
  const tier = plan.retryTiers[attempt - 1]
  if (attempt >= plan.maxAttempts || !tier) {
    return { kind: 'dead-letter', reason: 'max-attempts', queue: plan.deadLetterQueue }
  }
  return { kind: 'retry', queue: tier.queue, delayMs: tier.delayMs }
}
