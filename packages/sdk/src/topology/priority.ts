import { TopologyError } from '../errors.js'
import type { QueueDefinition } from './types.js'

/** The most priorities RabbitMQ accepts for `x-max-priority`. */
export const MAX_PRIORITY = 255

/**
 * Refuses priorities a queue cannot honour, at `defineTopology` and again at `connect` (for a
 * topology built without `defineTopology`): quorum queues on RabbitMQ 3.x accept
 * `x-max-priority` silently and ignore it, which would hide the mistake until production.
 */
export function checkMaxPriority(name: string, definition: QueueDefinition): void {
  const { maxPriority } = definition
  if (maxPriority === undefined) return
  const details = { queue: name, argument: 'x-max-priority', code: 'TOPOLOGY_INVALID' } as const
  if ((definition.type ?? 'quorum') !== 'classic') {
    throw new TopologyError(
      details,
      `queue '${name}': maxPriority needs type 'classic' (quorum queues do not support priorities on RabbitMQ 3.x)`,
    )
  }
  if (!Number.isInteger(maxPriority) || maxPriority < 1 || maxPriority > MAX_PRIORITY) {
    throw new TopologyError(
      details,
      `queue '${name}': maxPriority must be an integer from 1 to ${MAX_PRIORITY}, got ${maxPriority}`,
    )
  }
}
