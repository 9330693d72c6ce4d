import type { ManagementQueue } from '../rabbit/management-schemas.js'

/**
 * How many times a queue delivers a message before it dead-letters (or drops) it:
 * - a number: the limit in force;
 * - `unlimited`: returns never cost the message anything;
 * - `broker-default`: a quorum queue with no limit of its own, so the broker's default applies
 *   (none on RabbitMQ 3.x, 20 from 4.0 on); the AMQP side, which knows the version, decides.
 *
 * Why it matters: a quorum queue counts every return of an unacknowledged message as a delivery,
 * so a reader that takes messages and gives them back moves them towards this limit.
 */
export type DeliveryLimit = number | 'unlimited' | 'broker-default'

/** RabbitMQ 4.x's limit for a quorum queue that sets none. */
export const BROKER_DEFAULT_DELIVERY_LIMIT_4X = 20

/**
 * The delivery limit of a queue from what the management API reports. RabbitMQ 4.x reports the
 * resolved value (`delivery_limit`); 3.x does not, and resolves the argument and the policy
 * (operator policies included in `effective_policy_definition`) to the lower one. A negative
 * value means "no limit" on 4.x; on 3.x it is unusual and treated the same way.
 */
export function deliveryLimitOf(
  queue: Pick<ManagementQueue, 'type' | 'arguments' | 'delivery_limit'>,
  policyDefinition: Record<string, unknown>,
): DeliveryLimit {
  if (queue.type !== 'quorum') return 'unlimited'
  const reported = queue.delivery_limit
  if (typeof reported === 'number') return reported < 0 ? 'unlimited' : reported
  if (reported === 'unlimited') return 'unlimited'
  const values = [queue.arguments['x-delivery-limit'], policyDefinition['delivery-limit']].filter(
    (value): value is number => typeof value === 'number' && Number.isFinite(value),
  )
  if (values.length === 0) return 'broker-default'
  const limits = values.filter((value) => value >= 0)
  return limits.length > 0 ? Math.min(...limits) : 'unlimited'
}

/** Whether a length limit could make the broker drop or refuse a message when one is added. */
export function lengthLimited(
  queue: Pick<ManagementQueue, 'arguments'>,
  policyDefinition: Record<string, unknown>,
): boolean {
  const keys = [
    queue.arguments['x-max-length'],
    queue.arguments['x-max-length-bytes'],
    policyDefinition['max-length'],
    policyDefinition['max-length-bytes'],
  ]
  return keys.some((value) => typeof value === 'number')
}
