import { WarrenError } from '../errors.js'
import type { QueuePlan } from '../topology/plan.js'
import type { ExchangeType, TopologyDefinition } from '../topology/types.js'

/**
 * The queues a message reaches: on the default exchange the queue its routing key names (when
 * it exists), else every queue bound to the exchange by a matching key.
 */
export function routeMessage(
  topology: TopologyDefinition,
  plans: Iterable<QueuePlan>,
  queueExists: (queue: string) => boolean,
  exchange: string,
  routingKey: string,
): string[] {
  if (exchange === '') return queueExists(routingKey) ? [routingKey] : []
  const definition = topology.exchanges?.[exchange]
  if (!definition) {
    throw new WarrenError('EXCHANGE_NOT_FOUND', `exchange '${exchange}' does not exist`)
  }
  const targets: string[] = []
  for (const plan of plans) {
    const bound = plan.bindings.some(
      (b) => b.exchange === exchange && bindingMatches(definition.type, b.routingKey, routingKey),
    )
    if (bound) targets.push(plan.name)
  }
  return targets
}

/** Whether a binding key matches a routing key, as RabbitMQ's exchange types decide. */
export function bindingMatches(
  type: ExchangeType,
  bindingKey: string,
  routingKey: string,
): boolean {
  if (type === 'fanout' || type === 'headers') return true
  if (type === 'direct') return bindingKey === routingKey
  return topicMatches(bindingKey.split('.'), 0, routingKey.split('.'), 0)
}

// `*` is exactly one word, `#` zero or more.
function topicMatches(pattern: string[], p: number, words: string[], w: number): boolean {
  if (p === pattern.length) return w === words.length
  const part = pattern[p]
  if (part === '#') {
    for (let skip = w; skip <= words.length; skip++) {
      if (topicMatches(pattern, p + 1, words, skip)) return true
    }
    return false
  }
  if (w === words.length) return false
  if (part !== '*' && part !== words[w]) return false
  return topicMatches(pattern, p + 1, words, w + 1)
}
