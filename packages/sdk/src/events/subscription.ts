import { WarrenError } from '../errors.js'
import type { QueueDefinition } from '../topology/types.js'

/** How one service subscribes to events; everything but the binding of a queue definition. */
export interface SubscriptionOptions<N extends string = string> extends Omit<
  QueueDefinition,
  'bindings'
> {
  /**
   * The queue's name. Required when the pattern has wildcards (`*`, `#`), which make poor queue
   * names. @default `<service>.<pattern>`
   */
  name?: N
}

/** The queue a subscription declares, its binding kept literal so handlers are typed. */
export type SubscriptionQueue<P extends string> = QueueDefinition & {
  bindings: readonly [{ exchange: string; routingKey: P }]
}

/**
 * One service's subscription to events on a topic exchange: a durable queue of its own,
 * `<service>.<event>`, with its own retry tiers and dead-letter queue. Each subscriber gets every
 * matching event, and one subscriber failing (retrying, dead-lettering) never touches another's copy.
 * Spread the result into `queues`.
 *
 * @example
 * const topology = defineTopology({
 *   exchanges: { events: { type: 'topic' } },
 *   queues: {
 *     ...subscription('billing', 'events', 'order.created'),
 *     ...subscription('shipping', 'events', 'order.created', { retry: { delays: ['5s'], maxAttempts: 3 } }),
 *     ...subscription('audit', 'events', 'order.*', { name: 'audit.orders' }),
 *   },
 * })
 * await broker.consume('billing.order.created', (msg) => charge(msg.body))
 */
export function subscription<const S extends string, const P extends string>(
  service: S,
  exchange: string,
  pattern: P,
  options?: SubscriptionOptions & { name?: undefined },
): Record<`${S}.${P}`, SubscriptionQueue<P>>
export function subscription<const P extends string, const N extends string>(
  service: string,
  exchange: string,
  pattern: P,
  options: SubscriptionOptions<N> & { name: N },
): Record<N, SubscriptionQueue<P>>
export function subscription(
  service: string,
  exchange: string,
  pattern: string,
  options: SubscriptionOptions = {},
): Record<string, SubscriptionQueue<string>> {
  const { name, ...definition } = options
  if (service === '' || pattern === '') {
    throw new WarrenError('TOPOLOGY_INVALID', 'a subscription needs a service and an event pattern')
  }
  const queue = name ?? `${service}.${pattern}`
  if (/[*#]/.test(queue)) {
    throw new WarrenError(
      'TOPOLOGY_INVALID',
      `subscription of '${service}' to '${pattern}': give the queue a name without wildcards ({ name: '${service}.…' })`,
    )
  }
  const binding = { exchange, routingKey: pattern } as const
  return { [queue]: { ...definition, bindings: [binding] } }
}
