import type { DeliveryLimit } from './delivery-limit.js'

/** What a queue is for, as discovered from its arguments, policies and bindings. */
export type QueueRole = 'work' | 'retry' | 'dead-letter' | 'other'

/** Messages per second, from the management API's last sample. */
export interface QueueRates {
  publish: number
  deliver: number
  ack: number
  redeliver: number
}

/** A retry tier: a TTL queue whose expired messages flow back into the work queue. */
export interface RetryTier {
  name: string
  delayMs: number
}

/** An exchange that routes into a queue, and the binding key it routes with. */
export interface QueueBinding {
  exchange: string
  routingKey: string
}

export interface DiscoveredQueue {
  vhost: string
  name: string
  /** `classic`, `quorum` or `stream`. */
  type: string
  role: QueueRole
  messages: number
  ready: number
  unacked: number
  consumers: number
  rates: QueueRates
  /** Cumulative counters, for rules that look at a window (alerts). */
  totals: { published: number; delivered: number; acked: number }
  /** Effective dead-letter exchange (argument over policy); `''` is the default exchange. */
  deadLetterExchange: string | null
  deadLetterRoutingKey: string | null
  messageTtlMs: number | null
  policy: string | null
  /** How many returns a message survives here (quorum queues); see {@link DeliveryLimit}. */
  deliveryLimit: DeliveryLimit
  /** A max-length or max-length-bytes argument or policy is set. */
  lengthLimited: boolean
  /** The queue its dead letters reach through the DLX and bindings. */
  deadLetterQueue: string | null
  retryQueues: RetryTier[]
  /** For a retry tier: the work queue it returns messages to. */
  retryOf: string | null
  /** Exchanges bound to the queue (not the default exchange), sorted by exchange and key. */
  bindings: QueueBinding[]
  /** For a dead-letter queue: the queues that dead-letter into it. */
  feeds: string[]
  /**
   * Age of the oldest dead letter Warren knows of: for a DLQ since it was dead-lettered, as last
   * seen by a browse (nothing is read to learn it), else since the head's `timestamp` property
   * (classic queues); null if unknown.
   */
  oldestAgeMs: number | null
  /**
   * For a dead-letter queue in the store's care: the dead letters the store holds (`messages`
   * includes them, beside what RabbitMQ still has); null for a queue read live.
   */
  stored: number | null
}

export interface Topology {
  /** When the management API was read (epoch ms). */
  at: number
  queues: DiscoveredQueue[]
}
