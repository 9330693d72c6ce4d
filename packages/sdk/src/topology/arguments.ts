import { brokerRetryArguments } from '../retry/broker-mode.js'
import type { QueuePlan } from './plan.js'

/** What the declaration depends on in the broker: quorum defaults changed in 4.0. */
export interface BrokerFeatures {
  /** RabbitMQ 4.x gives quorum queues a delivery limit of 20 unless told otherwise. */
  quorumDefaultDeliveryLimit: boolean
  /** The connect-time probe saw the broker delay a rejected message (never the version). */
  delayedRetry: boolean
}

export function brokerFeatures(serverVersion: string, delayedRetry = false): BrokerFeatures {
  const major = Number.parseInt(serverVersion.split('.')[0] ?? '', 10)
  return { quorumDefaultDeliveryLimit: Number.isFinite(major) && major >= 4, delayedRetry }
}

/** Whether this queue's retries are the broker's on a broker with these features. */
export function usesBrokerRetry(plan: QueuePlan, features: BrokerFeatures): boolean {
  return plan.brokerRetry !== undefined && features.delayedRetry
}

/** Arguments of the work queue `Q` (the README's Topology conventions). */
export function workQueueArguments(
  plan: QueuePlan,
  features?: BrokerFeatures,
): Record<string, unknown> {
  const args: Record<string, unknown> = { 'x-queue-type': plan.type }
  if (plan.deadLetterQueue) {
    args['x-dead-letter-exchange'] = ''
    args['x-dead-letter-routing-key'] = plan.deadLetterQueue
  }
  if (plan.type === 'quorum') {
    args['x-delivery-limit'] = plan.deliveryLimit
    if (plan.deadLetterQueue) {
      // at-least-once dead-lettering keeps a message until the DLQ confirms it; RabbitMQ
      // accepts that strategy only together with reject-publish overflow.
      args['x-dead-letter-strategy'] = 'at-least-once'
      args['x-overflow'] = 'reject-publish'
    }
  }
  if (plan.maxPriority !== undefined) args['x-max-priority'] = plan.maxPriority
  if (plan.brokerRetry && features && usesBrokerRetry(plan, features)) {
    Object.assign(args, brokerRetryArguments(plan.brokerRetry))
  }
  return { ...args, ...plan.arguments }
}

/** Arguments of a retry tier: messages wait `delayMs`, then flow back to `Q`. */
export function retryQueueArguments(plan: QueuePlan, delayMs: number): Record<string, unknown> {
  const args: Record<string, unknown> = {
    'x-queue-type': plan.type,
    'x-message-ttl': delayMs,
    'x-dead-letter-exchange': '',
    'x-dead-letter-routing-key': plan.name,
  }
  if (plan.type === 'quorum') {
    args['x-dead-letter-strategy'] = 'at-least-once'
    args['x-overflow'] = 'reject-publish'
  }
  return args
}

/** Arguments of `Q.dlq`: no TTL, no dead-lettering, and on 4.x no delivery limit. */
export function deadLetterQueueArguments(
  plan: QueuePlan,
  features: BrokerFeatures,
): Record<string, unknown> {
  const args: Record<string, unknown> = { 'x-queue-type': plan.type }
  // Browsing returns messages to the DLQ; on 4.x that must never count against a limit.
  if (plan.type === 'quorum' && features.quorumDefaultDeliveryLimit) args['x-delivery-limit'] = -1
  return args
}
