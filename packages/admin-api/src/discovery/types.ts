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
   * Age of the message at the head: for a DLQ since it was dead-lettered (its headers, read by a
   * non-destructive peek), else since its `timestamp` property (classic queues); null if unknown.
   */
  oldestAgeMs: number | null
}

export interface Topology {
  /** When the management API was read (epoch ms). */
  at: number
  queues: DiscoveredQueue[]
}
