import type { Link } from '../connection/connection-manager.js'
import type { Logger } from '../logging/logger.js'
import { probeDelayedRetry, type DelayedRetrySupport } from '../retry/probe.js'
import { brokerFeatures } from './arguments.js'
import { declareTopology } from './declare.js'
import { planTopology, type QueuePlan } from './plan.js'
import type { TopologyDefinition } from './types.js'

/** Each queue with retries: the mode in use, and why `tiers` where `broker` was asked for. */
export type RetryModes = Record<string, { mode: 'tiers' | 'broker'; reason?: string }>

/**
 * A broker's topology on its connections: the queue plans, the probe of what each connection's
 * broker supports, and the declaration, which come before any part attaches.
 */
export class TopologySetup {
  readonly plans: Map<string, QueuePlan>
  /** What the probe of the current connection found; undefined when nothing asked for it. */
  #delayedRetry: DelayedRetrySupport | undefined

  constructor(
    private readonly topology: TopologyDefinition,
    private readonly logger: Logger,
  ) {
    this.plans = planTopology(topology)
  }

  get delayedRetry(): DelayedRetrySupport | undefined {
    return this.#delayedRetry
  }

  /**
   * Asks this connection's broker whether it delays retries, when a queue wants it to: on every
   * connection, since a reconnect may reach another node. Broker-mode queues fall back to their
   * tiers where it does not, with a warning.
   */
  async probe(link: Link): Promise<void> {
    const queues = [...this.plans.values()].filter((p) => p.brokerRetry).map((p) => p.name)
    if (queues.length === 0) return
    const support = await probeDelayedRetry(link.model)
    this.#delayedRetry = support
    const fields = { queues, serverVersion: link.serverVersion, reason: support.reason }
    if (support.supported) {
      this.logger.info({ event: 'delayed-retry', ...fields }, 'broker retry mode in use')
    } else {
      this.logger.warn(
        { event: 'delayed-retry-unavailable', ...fields },
        `retry mode 'broker' falls back to tiers: ${support.reason}`,
      )
    }
  }

  declare(link: Link, plans: Iterable<QueuePlan> = this.plans.values()): Promise<void> {
    return declareTopology(
      link.model,
      this.topology,
      plans,
      brokerFeatures(link.serverVersion, this.#delayedRetry?.supported === true),
    )
  }

  retryModes(): RetryModes {
    const retry: RetryModes = {}
    const support = this.#delayedRetry
    for (const plan of this.plans.values()) {
      if (plan.retryTiers.length === 0) continue
      if (!plan.brokerRetry) retry[plan.name] = { mode: 'tiers' }
      else if (support?.supported) retry[plan.name] = { mode: 'broker' }
      else retry[plan.name] = { mode: 'tiers', reason: support?.reason ?? 'not connected yet' }
    }
    return retry
  }
}
