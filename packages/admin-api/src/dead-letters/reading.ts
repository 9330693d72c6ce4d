import {
  BROKER_DEFAULT_DELIVERY_LIMIT_4X,
  type DeliveryLimit,
} from '../discovery/delivery-limit.js'
import type { QueueRole } from '../discovery/types.js'
import { ApiError } from '../errors.js'

// How Warren may read a queue without costing its messages anything. Looking at a queue over
// AMQP means taking messages unacknowledged and handing them back; a quorum queue counts a
// handed-back message as a delivery, and at its delivery limit dead-letters it onward or drops
// it. So the way of reading depends on the queue's effective limit and on the broker:
//
// - `give-back`: take and hand back. Free where no limit applies (classic queues, quorum queues
//   without a limit), and on RabbitMQ 4.3+ also under a limit when handed back with a
//   requeueing nack: 4.3 counts only failed deliveries, and such a nack is not one (measured:
//   after any number of nacks the message stays; a channel close or a consumer cancel that holds
//   it counts, and at the limit drops it).
// - `reseat`: on older brokers a limited quorum queue is read by putting an identical copy of
//   each message back into the queue (default exchange, confirmed) and acknowledging the
//   original only once the copy is confirmed. The count stays, the order stays (the whole queue
//   is re-seated in order), and each message is farther from the limit, never closer.

/** What the dead-letter routes need to know about a queue before they touch it. */
export interface QueueFacts {
  type: string
  role: QueueRole
  deliveryLimit: DeliveryLimit
  lengthLimited: boolean
}

/** Finds a queue's facts; null when the queue does not exist. */
export type QueueFactsLookup = (vhost: string, queue: string) => Promise<QueueFacts | null>

export type ReadMode = 'give-back' | 'reseat'

export interface ReadPlan {
  mode: ReadMode
  /** The limit in force, null when returns cost nothing. */
  deliveryLimit: number | null
  /**
   * How held messages go back. `nack` where a requeueing nack is free (4.3+), since a close
   * that holds them counts there; `close` before 4.3, where both count alike but only a close
   * puts a quorum queue's messages back in their places (a nack sends them to the back).
   */
  handBack: HandBack
}

export type HandBack = 'nack' | 'close'

/** `major.minor` of a RabbitMQ version string such as `4.3.6`; null when unreadable. */
export function versionOf(version: string): [number, number] | null {
  const match = /^(\d+)\.(\d+)/.exec(version)
  return match ? [Number(match[1]), Number(match[2])] : null
}

/** The delivery limit that applies, given the broker's version for `broker-default`. */
export function resolvedLimit(limit: DeliveryLimit, brokerVersion: string): number | null {
  if (limit === 'unlimited') return null
  if (limit !== 'broker-default') return limit
  const version = versionOf(brokerVersion)
  // An unreadable version is taken as 4.x: assuming a limit is the safe mistake.
  return version === null || version[0] >= 4 ? BROKER_DEFAULT_DELIVERY_LIMIT_4X : null
}

/** Whether a requeueing nack leaves a quorum queue's delivery count alone (4.3 and later). */
export function nackIsFree(brokerVersion: string): boolean {
  const version = versionOf(brokerVersion)
  return version !== null && (version[0] > 4 || (version[0] === 4 && version[1] >= 3))
}

/** How to read `queue`; throws when no way of reading it is safe. */
export function planReading(facts: QueueFacts, brokerVersion: string, queue: string): ReadPlan {
  const deliveryLimit =
    facts.type === 'quorum' ? resolvedLimit(facts.deliveryLimit, brokerVersion) : null
  const handBack: HandBack = nackIsFree(brokerVersion) ? 'nack' : 'close'
  if (deliveryLimit === null || handBack === 'nack') {
    return { mode: 'give-back', deliveryLimit, handBack }
  }
  if (facts.lengthLimited) {
    // A re-seated copy briefly makes the queue one longer: at its length limit the broker
    // would drop the head (a dead letter) or refuse the copy.
    throw new ApiError(
      409,
      'unsafe-to-read',
      'Reading this queue could lose messages',
      `'${queue}' is a quorum queue with a delivery limit of ${deliveryLimit} and a length limit: ` +
        'handing messages back would count against the first, re-seating them could hit the ' +
        'second. Remove the length limit or set the delivery limit off (x-delivery-limit -1 ' +
        'on RabbitMQ 4, or no delivery-limit policy) to browse it.',
    )
  }
  return { mode: 'reseat', deliveryLimit, handBack }
}

/**
 * Browse and every operation act only on dead-letter queues: taking messages from a work queue
 * competes with its consumers, and on a quorum work queue moves jobs towards their limit.
 */
export function assertDeadLetterQueue(facts: QueueFacts | null, vhost: string, queue: string) {
  if (facts === null) {
    throw new ApiError(
      404,
      'queue-not-found',
      'Queue not found',
      `No queue '${queue}' in vhost '${vhost}'`,
    )
  }
  if (facts.role !== 'dead-letter') {
    throw new ApiError(
      409,
      'not-a-dead-letter-queue',
      'Not a dead-letter queue',
      `'${queue}' is a ${facts.role} queue. Warren reads and changes only dead-letter queues: ` +
        'those that other queues dead-letter into, those named like one (.dlq, .dead-letter), ' +
        'and those listed in WARREN_DEAD_LETTER_QUEUES.',
    )
  }
}
