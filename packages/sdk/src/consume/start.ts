import { WarrenError } from '../errors.js'
import { resolveConsumeOptions, type ConsumeOptions } from '../options.js'
import type { Runtime } from '../runtime.js'
import type { TopologySetup } from '../topology/setup.js'
import { Consumer, type ConsumerContext } from './consumer.js'
import type { Handler, HandlerMap } from './message.js'

/** What a consumer tells its broker, beyond the shared runtime. */
export interface ConsumerHooks {
  onBrokerCancel: (queue: string, phase: 'cancelled' | 'resumed') => void
  onClosed: (consumer: Consumer) => void
  closeTimeoutMs: number
}

/**
 * A consumer of `broker.consume()`, not yet attached: its queue's plan looked up in the
 * topology (`UNKNOWN_QUEUE` otherwise), its options resolved, and the topology at hand to
 * declare the queue again when the broker cancels it.
 */
export function createConsumer(
  runtime: Runtime,
  topology: TopologySetup,
  queue: string,
  handler: Handler<unknown> | HandlerMap,
  options: ConsumeOptions | undefined,
  hooks: ConsumerHooks,
): Consumer {
  const plan = topology.plans.get(queue)
  if (!plan) {
    throw new WarrenError('UNKNOWN_QUEUE', `queue '${queue}' is not part of the topology`)
  }
  const context: ConsumerContext = {
    ...runtime,
    redeclare: (each, link) => topology.declare(link, [each]),
    onBrokerCancel: hooks.onBrokerCancel,
    onClosed: hooks.onClosed,
  }
  return new Consumer(context, plan, handler, resolveConsumeOptions(options), hooks.closeTimeoutMs)
}
