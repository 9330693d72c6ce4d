import type { ManagementBinding, ManagementExchange } from '../rabbit/management-schemas.js'
import type { QueueBinding } from './types.js'

const MAX_HOPS = 5

/** Routes routing keys through one vhost's exchanges and bindings, as the broker would. */
export class Router {
  private readonly bySource = new Map<string, ManagementBinding[]>()
  private readonly types = new Map<string, string>()

  constructor(
    bindings: readonly ManagementBinding[],
    exchanges: readonly ManagementExchange[],
    private readonly queueNames: ReadonlySet<string>,
  ) {
    for (const binding of bindings) {
      const list = this.bySource.get(binding.source) ?? []
      list.push(binding)
      this.bySource.set(binding.source, list)
    }
    for (const exchange of exchanges) this.types.set(exchange.name, exchange.type)
  }

  /** The routing keys with which messages reach a queue (its bindings, incl. the default one). */
  keysInto(queue: string): string[] {
    const keys = new Set<string>([queue])
    for (const list of this.bySource.values()) {
      for (const binding of list) {
        if (binding.destination_type === 'queue' && binding.destination === queue) {
          keys.add(binding.routing_key)
        }
      }
    }
    return [...keys]
  }

  /**
   * The exchanges bound directly to a queue, with their binding keys; the default exchange's
   * implicit binding is left out (every queue has it).
   */
  bindingsInto(queue: string): QueueBinding[] {
    const found: QueueBinding[] = []
    for (const [source, list] of this.bySource) {
      if (source === '') continue
      for (const binding of list) {
        if (binding.destination_type === 'queue' && binding.destination === queue) {
          found.push({ exchange: source, routingKey: binding.routing_key })
        }
      }
    }
    return found.sort(
      (a, b) => a.exchange.localeCompare(b.exchange) || a.routingKey.localeCompare(b.routingKey),
    )
  }

  /** Queues that a message published to `exchange` with any of `keys` would reach. */
  route(exchange: string, keys: readonly string[], hops = 0): Set<string> {
    const reached = new Set<string>()
    if (exchange === '') {
      for (const key of keys) if (this.queueNames.has(key)) reached.add(key)
      return reached
    }
    if (hops > MAX_HOPS) return reached
    const type = this.types.get(exchange) ?? 'direct'
    for (const binding of this.bySource.get(exchange) ?? []) {
      if (!this.matches(type, binding.routing_key, keys)) continue
      if (binding.destination_type === 'queue') reached.add(binding.destination)
      else for (const queue of this.route(binding.destination, keys, hops + 1)) reached.add(queue)
    }
    return reached
  }

  private matches(type: string, bindingKey: string, keys: readonly string[]): boolean {
    switch (type) {
      case 'fanout':
        return true
      case 'headers':
        // Headers exchanges match on message headers we can't know here: assume they may route.
        return true
      case 'topic':
        return keys.some((key) => topicMatches(bindingKey, key))
      default:
        return keys.includes(bindingKey)
    }
  }
}

/** AMQP topic matching: `*` is one word, `#` zero or more words. */
export function topicMatches(pattern: string, key: string): boolean {
  const p = pattern.split('.')
  const k = key.split('.')
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length
    if (p[i] === '#') {
      for (let skip = j; skip <= k.length; skip++) if (match(i + 1, skip)) return true
      return false
    }
    if (j === k.length) return false
    return (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1)
  }
  return match(0, 0)
}
