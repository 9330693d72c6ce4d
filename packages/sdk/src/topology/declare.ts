import type { Channel, ChannelModel } from 'amqplib'
import { TopologyError } from '../errors.js'
import {
  deadLetterQueueArguments,
  retryQueueArguments,
  usesBrokerRetry,
  workQueueArguments,
  type BrokerFeatures,
} from './arguments.js'
import type { QueuePlan } from './plan.js'
import type { TopologyDefinition } from './types.js'

// The broker's PRECONDITION_FAILED reply is the only place that names the differing argument.
// "inequivalent arg" when it differs from the existing one, "invalid arg" when the queue type
// does not take it.
const INEQUIVALENT = /(inequivalent|invalid) arg '([^']+)' for (queue|exchange) '([^']+)'/

/**
 * Declares exchanges, then per work queue its DLQ, retry tiers, the queue and its bindings, on a
 * throwaway channel: a refused declaration closes that channel only, never the connection.
 * `queues` limits the queues declared (after a broker cancel, only the consumed queue).
 */
export async function declareTopology(
  model: ChannelModel,
  topology: TopologyDefinition,
  plans: Iterable<QueuePlan>,
  features: BrokerFeatures,
): Promise<void> {
  const channel = await model.createChannel()
  // A refused declaration emits 'error' on the channel; the rejected call reports it.
  channel.on('error', () => {})
  try {
    for (const [name, exchange] of Object.entries(topology.exchanges ?? {})) {
      await step(() =>
        channel.assertExchange(name, exchange.type, {
          durable: exchange.durable ?? true,
          arguments: { ...exchange.arguments },
        }),
      )
    }
    for (const plan of plans) await declareQueue(channel, plan, features)
  } finally {
    await channel.close().catch(() => {})
  }
}

async function declareQueue(channel: Channel, plan: QueuePlan, features: BrokerFeatures) {
  if (plan.deadLetterQueue) {
    await step(() =>
      channel.assertQueue(plan.deadLetterQueue, {
        durable: true,
        arguments: deadLetterQueueArguments(plan, features),
      }),
    )
  }
  // Broker retries wait in the work queue itself: no tier to declare.
  const tiers = usesBrokerRetry(plan, features)
    ? new Map<string, number>()
    : new Map(plan.retryTiers.map((tier) => [tier.queue, tier.delayMs]))
  for (const [queue, delayMs] of tiers) {
    await step(() =>
      channel.assertQueue(queue, { durable: true, arguments: retryQueueArguments(plan, delayMs) }),
    )
  }
  await step(() =>
    channel.assertQueue(plan.name, {
      durable: true,
      arguments: workQueueArguments(plan, features),
    }),
  )
  for (const binding of plan.bindings) {
    if (binding.exchange === '') continue // the default exchange binds every queue by name
    await step(() => channel.bindQueue(plan.name, binding.exchange, binding.routingKey))
  }
}

async function step<T>(declare: () => Promise<T>): Promise<T> {
  try {
    return await declare()
  } catch (error) {
    throw toTopologyError(error) ?? error
  }
}

/** A `TopologyError` when the broker refused a declaration as inequivalent, else undefined. */
export function toTopologyError(error: unknown): TopologyError | undefined {
  if (!(error instanceof Error)) return undefined
  const match = INEQUIVALENT.exec(error.message)
  if (!match) return undefined
  const [, problem, argument, kind, name] = match as unknown as [
    string,
    'inequivalent' | 'invalid',
    string,
    'queue' | 'exchange',
    string,
  ]
  const what =
    problem === 'inequivalent'
      ? `${kind} '${name}' exists with a different '${argument}' than the topology declares; delete it or change the topology`
      : `${kind} '${name}' does not accept argument '${argument}'`
  return new TopologyError({ queue: name, argument, kind }, `${what} (${error.message})`, {
    cause: error,
  })
}
