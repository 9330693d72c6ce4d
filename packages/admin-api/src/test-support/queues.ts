// Discovered queues as plain data, for tests of what is computed from a topology.
import type { DiscoveredQueue, Topology } from '../discovery/index.js'

/** A consumed work queue in vhost `/` with no messages and no traffic, unless `over` says so. */
export function discoveredQueue(
  name: string,
  over: Partial<DiscoveredQueue> = {},
): DiscoveredQueue {
  return {
    vhost: '/',
    name,
    type: 'quorum',
    role: 'work',
    messages: 0,
    ready: 0,
    unacked: 0,
    consumers: 1,
    rates: { publish: 0, deliver: 0, ack: 0, redeliver: 0 },
    totals: { published: 0, delivered: 0, acked: 0 },
    deadLetterExchange: null,
    deadLetterRoutingKey: null,
    messageTtlMs: null,
    policy: null,
    deliveryLimit: 'unlimited',
    lengthLimited: false,
    deadLetterQueue: null,
    retryQueues: [],
    retryOf: null,
    bindings: [],
    feeds: [],
    oldestAgeMs: null,
    stored: null,
    ...over,
  }
}

export const topologyAt = (at: number, queues: DiscoveredQueue[]): Topology => ({ at, queues })
