import type { Schema, SchemaInput, SchemaOutput } from '../schema.js'
import type { Duration } from '../duration.js'

export type ExchangeType = 'direct' | 'topic' | 'fanout' | 'headers'

export interface ExchangeDefinition {
  type: ExchangeType
  /** @default true */
  durable?: boolean
  /** Extra arguments, e.g. `alternate-exchange`. @default {} */
  arguments?: Readonly<Record<string, unknown>>
}

export interface BindingDefinition {
  exchange: string
  /** @default '' */
  routingKey?: string
}

export interface RetryDefinition {
  /** Delay of each retry tier: attempt n fails -> `delays[n-1]`, the last one reused beyond. */
  delays: readonly Duration[]
  /** Attempts in all, the first try included; attempt `maxAttempts` failing dead-letters. */
  maxAttempts: number
  /**
   * Who holds a message between attempts. `tiers`: the SDK publishes it to the TTL queue
   * `Q.retry.<delay>`, which dead-letters it back to `Q`. `broker`: the SDK returns it to `Q`
   * and the quorum queue's own delayed retry (RabbitMQ 4.3, `x-delayed-retry-*`) holds it. The
   * broker's backoff is linear (`min(delays[0] * n, last delay)`), so `delays` must follow it,
   * e.g. `['1s', '2s', '3s']` or `['5s']`. Where the connect-time probe finds the broker does not
   * delay retries, `broker` falls back to tiers with the same delays (logged, and in
   * `broker.diagnostics.retry`). Quorum queues only.
   * @default 'tiers'
   */
  mode?: 'tiers' | 'broker'
}

export interface QueueDefinition {
  bindings?: readonly BindingDefinition[]
  /**
   * Delayed retry tiers; `false` sends a failed message to the dead-letter queue at once.
   * @default { delays: ['1s', '10s', '1m'], maxAttempts: 4 }
   */
  retry?: RetryDefinition | false
  /** @default 'quorum' */
  type?: 'quorum' | 'classic'
  /** Declare `Q.dlq` and dead-letter into it. @default true */
  deadLetter?: boolean
  /**
   * Quorum only: deliveries after which the broker itself dead-letters a message (a message that
   * crashes the process on every delivery ends in the DLQ instead of looping).
   * @default 20
   */
  deliveryLimit?: number
  /**
   * Classic queues only: the highest message priority the queue honours (`x-max-priority`, 1 to
   * 255; RabbitMQ advises at most 10). Messages published with a higher `priority` are delivered
   * first. Quorum queues on RabbitMQ 3.x ignore priorities, so the combination is refused.
   * @default none (no priorities)
   */
  maxPriority?: number
  /** Extra queue arguments for the work queue. @default {} */
  arguments?: Readonly<Record<string, unknown>>
}

/** The plain-data topology given to `defineTopology`. */
export interface TopologyDefinition {
  exchanges?: Readonly<Record<string, ExchangeDefinition>>
  queues?: Readonly<Record<string, QueueDefinition>>
  /**
   * Schema of each message, by message name: a publish's `type` when given, else its routing key
   * (see `topology/message-name.ts`).
   */
  messages?: Readonly<Record<string, Schema>>
}

type MessagesOf<T> = T extends { messages: infer M } ? M : Record<never, never>

/** The queue names a topology declares (any string when it declares none). */
export type QueueName<T> = T extends { queues: infer Q } ? keyof Q & string : string

/**
 * What `publish` accepts as body for a message name (`options.type`, else the routing key): its
 * schema's input, else anything.
 */
export type PublishBody<T, Name extends string> = Name extends keyof MessagesOf<T>
  ? MessagesOf<T>[Name] extends Schema
    ? SchemaInput<MessagesOf<T>[Name]>
    : unknown
  : unknown

/**
 * The exchanges one may publish to: those a topology declares, the default exchange `''` and
 * RabbitMQ's own `amq.*` (any string when the topology declares none), so a typo does not compile.
 */
export type ExchangeName<T> = T extends { exchanges: infer E }
  ? (keyof E & string) | '' | `amq.${string}`
  : string

type BindingsOf<T> = T extends { queues: infer QS }
  ? { [Q in keyof QS]: QS[Q] extends { bindings: readonly (infer B)[] } ? B : never }[keyof QS]
  : never

/** The routing keys bound to exchange `E` (a binding without one binds `''`). */
type BoundKeys<T, E extends string> =
  BindingsOf<T> extends infer B
    ? B extends { exchange: E }
      ? B extends { routingKey: infer RK extends string }
        ? RK
        : ''
      : never
    : never

/**
 * The routing keys one may publish with to exchange `E`: any string, since a binding may come
 * from another service's topology, a topic pattern or an alternate exchange, so no topology knows
 * every valid key; on a direct exchange the keys this topology binds are offered first (editors
 * complete them) without refusing the others.
 */
export type RoutingKey<T, E extends string> = T extends { exchanges: infer X }
  ? E extends keyof X
    ? X[E] extends { type: 'direct' }
      ? BoundKeys<T, E> | (string & {})
      : string
    : string
  : string

/**
 * The body type a queue's handler sees: the schema output of the message named by its routing
 * key where the queue binds exactly one routing key that has a schema, else `unknown`.
 */
export type ConsumeBody<T, Q extends string> = T extends { queues: infer QS }
  ? Q extends keyof QS
    ? QS[Q] extends { bindings: readonly [{ routingKey: infer RK extends string }] }
      ? MessageBody<T, RK>
      : unknown
    : unknown
  : unknown

/** The message names of a topology (any string when it has no `messages`). */
export type MessageName<T> = T extends { messages: infer M } ? keyof M & string : string

/** The body a handler of message `K` sees: its schema's output, else `unknown`. */
export type MessageBody<T, K extends string> = K extends keyof MessagesOf<T>
  ? MessagesOf<T>[K] extends Schema
    ? SchemaOutput<MessagesOf<T>[K]>
    : unknown
  : unknown
