import type { Channel, ChannelModel } from 'amqplib'
import { toTopologyError } from '../topology/declare.js'
import {
  DELAY_LEVELS,
  DELIVER_DEAD_LETTER_QUEUE,
  DELIVER_QUEUE,
  levelName,
  levelPattern,
} from './levels.js'

// Quorum with at-least-once dead-lettering, as the retry tiers: a message moving from one level
// to the next is never dropped on the way.
const QUORUM_HOP = {
  'x-queue-type': 'quorum',
  'x-dead-letter-strategy': 'at-least-once',
  'x-overflow': 'reject-publish',
}

/** Arguments of the queue of level `k`: wait 2^k ms, then on to the level below. */
export function levelQueueArguments(level: number): Record<string, unknown> {
  const args: Record<string, unknown> = { ...QUORUM_HOP, 'x-message-ttl': 2 ** level }
  if (level === 0) {
    args['x-dead-letter-exchange'] = ''
    args['x-dead-letter-routing-key'] = DELIVER_QUEUE
  } else {
    // No routing key: the message keeps its own, which the level below reads.
    args['x-dead-letter-exchange'] = levelName(level - 1)
  }
  return args
}

export const DELIVER_QUEUE_ARGUMENTS = {
  ...QUORUM_HOP,
  'x-dead-letter-exchange': '',
  'x-dead-letter-routing-key': DELIVER_DEAD_LETTER_QUEUE,
  'x-delivery-limit': 20,
}

/**
 * Declares the shared delay infrastructure, top level first: per level a topic exchange and a
 * queue of the same name, the `1` pattern into the queue and the `0` pattern on to the level
 * below (level 0: into the deliver queue). Runs on throwaway channels, several at once because
 * quorum queue declarations are slow one by one; a refusal closes only its channel.
 */
export async function declareDelayInfrastructure(model: ChannelModel): Promise<void> {
  const channels = await Promise.all(Array.from({ length: 4 }, () => model.createChannel()))
  for (const channel of channels) channel.on('error', () => {})
  try {
    const [first] = channels as [Channel]
    await step(() =>
      first.assertQueue(DELIVER_DEAD_LETTER_QUEUE, {
        durable: true,
        arguments: { 'x-queue-type': 'quorum' },
      }),
    )
    await step(() =>
      first.assertQueue(DELIVER_QUEUE, { durable: true, arguments: DELIVER_QUEUE_ARGUMENTS }),
    )
    const levels = Array.from({ length: DELAY_LEVELS }, (_, level) => level)
    // Exchanges first (every level), so each queue's dead-letter exchange exists when declared.
    await Promise.all(
      channels.map(async (channel, i) => {
        for (const level of levels.filter((l) => l % channels.length === i)) {
          await step(() => channel.assertExchange(levelName(level), 'topic', { durable: true }))
        }
      }),
    )
    await Promise.all(
      channels.map(async (channel, i) => {
        for (const level of levels.filter((l) => l % channels.length === i)) {
          const name = levelName(level)
          await step(() =>
            channel.assertQueue(name, { durable: true, arguments: levelQueueArguments(level) }),
          )
          await step(() => channel.bindQueue(name, name, levelPattern(level, 1)))
          await step(() =>
            level === 0
              ? channel.bindQueue(DELIVER_QUEUE, name, levelPattern(0, 0))
              : channel.bindExchange(levelName(level - 1), name, levelPattern(level, 0)),
          )
        }
      }),
    )
  } finally {
    await Promise.all(channels.map((channel) => channel.close().catch(() => {})))
  }
}

/** Whether any instance declared the delay infrastructure: then this one forwards too. */
export async function deliverQueueExists(model: ChannelModel): Promise<boolean> {
  const channel = await model.createChannel()
  channel.on('error', () => {})
  try {
    await channel.checkQueue(DELIVER_QUEUE)
    return true
  } catch {
    return false
  } finally {
    await channel.close().catch(() => {})
  }
}

async function step<T>(declare: () => Promise<T>): Promise<T> {
  try {
    return await declare()
  } catch (error) {
    throw toTopologyError(error) ?? error
  }
}
