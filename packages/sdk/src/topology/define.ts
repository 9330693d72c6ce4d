import { toMs } from '../duration.js'
import { WarrenError } from '../errors.js'
import { checkBrokerRetry } from '../retry/broker-mode.js'
import { checkMaxPriority } from './priority.js'
import type { TopologyDefinition } from './types.js'

/**
 * Declares exchanges, work queues (with their retry tiers and dead-letter queue) and message
 * schemas as plain data. The result types `publish` bodies and handler messages.
 *
 * @example
 * const topology = defineTopology({
 *   exchanges: { orders: { type: 'topic' } },
 *   queues: {
 *     'billing.charge': {
 *       bindings: [{ exchange: 'orders', routingKey: 'order.created' }],
 *       retry: { delays: ['1s', '10s', '1m'], maxAttempts: 4 },
 *     },
 *   },
 *   messages: { 'order.created': z.object({ orderId: z.string(), amount: z.number().positive() }) },
 * })
 */
export function defineTopology<const T extends TopologyDefinition>(definition: T): T {
  for (const [name, queue] of Object.entries(definition.queues ?? {})) {
    if (name === '' || name.startsWith('amq.')) {
      throw new WarrenError('TOPOLOGY_INVALID', `queue name '${name}' is reserved`)
    }
    checkMaxPriority(name, queue)
    for (const binding of queue.bindings ?? []) {
      if (binding.exchange !== '' && !definition.exchanges?.[binding.exchange]) {
        throw new WarrenError(
          'TOPOLOGY_INVALID',
          `queue '${name}' binds to exchange '${binding.exchange}', which the topology does not declare`,
        )
      }
    }
    if (queue.retry) {
      const { delays, maxAttempts } = queue.retry
      if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
        throw new WarrenError('TOPOLOGY_INVALID', `queue '${name}': maxAttempts must be >= 1`)
      }
      if (maxAttempts > 1 && delays.length === 0) {
        throw new WarrenError(
          'TOPOLOGY_INVALID',
          `queue '${name}': retries need at least one delay`,
        )
      }
      for (const delay of delays) {
        if (toMs(delay) <= 0) {
          throw new WarrenError('TOPOLOGY_INVALID', `queue '${name}': delays must be positive`)
        }
      }
      checkBrokerRetry(name, queue)
    }
  }
  return definition
}
