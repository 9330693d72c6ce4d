import type { Channel, ChannelModel } from 'amqplib'
import { uuidv7 } from '../publish/uuid.js'
import { brokerRetryArguments } from './broker-mode.js'

/** What the connect-time probe found: whether the broker delays a rejected message. */
export interface DelayedRetrySupport {
  supported: boolean
  /** Why, in words: what the broker did with the probe message. */
  reason: string
  /** How long the rejected probe message was held, when it came back. */
  heldMs?: number
}

/** The probe queue's delay: well above an immediate redelivery (a few ms), cheap at connect. */
export const PROBE_DELAY_MS = 200
const PROBE_TIMEOUT_MS = 3_000

/**
 * Asks the broker by behaviour, not by version: a declare proves nothing (4.3.6 accepts
 * `x-delayed-retry-type: 'bogus'`, 3.10 accepts the arguments and ignores them). One message in
 * a durable quorum queue of a unique name (transient non-exclusive queues are a deprecated
 * feature 4.x may deny; `x-expires` removes it should this process die before deleting it),
 * rejected with requeue once: supported when it comes back held for about the delay and with
 * `x-delivery-count`, the count broker mode reads attempts from.
 */
export async function probeDelayedRetry(model: ChannelModel): Promise<DelayedRetrySupport> {
  const queue = `warren.probe.delayed-retry.${uuidv7()}`
  const channel = await openChannel(model)
  try {
    await channel.assertQueue(queue, {
      durable: true,
      arguments: {
        'x-queue-type': 'quorum',
        'x-expires': 60_000,
        ...brokerRetryArguments({ minMs: PROBE_DELAY_MS, maxMs: PROBE_DELAY_MS }),
      },
    })
    const held = await rejectOnce(channel, queue)
    if (held === undefined) {
      return {
        supported: false,
        reason: `a rejected message did not come back within ${PROBE_TIMEOUT_MS} ms`,
      }
    }
    if (held.ms < PROBE_DELAY_MS * 0.75) {
      return {
        supported: false,
        reason:
          `the broker accepts x-delayed-retry-* but redelivered a rejected message after ` +
          `${held.ms} ms instead of holding it ${PROBE_DELAY_MS} ms: no native delayed retry`,
        heldMs: held.ms,
      }
    }
    if (held.deliveryCount !== 1) {
      return {
        supported: false,
        reason: `the broker delayed a rejected message but set no x-delivery-count to count attempts by`,
        heldMs: held.ms,
      }
    }
    return {
      supported: true,
      reason: `the broker held a rejected message ${held.ms} ms (x-delayed-retry-min ${PROBE_DELAY_MS})`,
      heldMs: held.ms,
    }
  } catch (error) {
    return {
      supported: false,
      reason: `the probe failed: ${error instanceof Error ? error.message : String(error)}`,
    }
  } finally {
    await removeQueue(model, channel, queue)
  }
}

async function removeQueue(model: ChannelModel, channel: Channel, queue: string): Promise<void> {
  try {
    await channel.deleteQueue(queue)
    await channel.close()
  } catch {
    // A refused declare (or consume) closed the channel: delete on a fresh one.
    const fresh = await openChannel(model).catch(() => undefined)
    await fresh?.deleteQueue(queue).catch(() => {})
    await fresh?.close().catch(() => {})
  }
}

async function openChannel(model: ChannelModel): Promise<Channel> {
  const channel = await model.createChannel()
  channel.on('error', () => {})
  return channel
}

/** Publishes one message, rejects its first delivery, and times the second. */
function rejectOnce(
  channel: Channel,
  queue: string,
): Promise<{ ms: number; deliveryCount: unknown } | undefined> {
  return new Promise((resolve, reject) => {
    let rejectedAt: number | undefined
    const timer = setTimeout(() => resolve(undefined), PROBE_TIMEOUT_MS)
    channel.sendToQueue(queue, Buffer.from('warren delayed-retry probe'))
    channel
      .consume(queue, (delivery) => {
        if (delivery === null) return
        if (rejectedAt === undefined) {
          rejectedAt = Date.now()
          channel.reject(delivery, true)
          return
        }
        clearTimeout(timer)
        channel.ack(delivery)
        const ms = Date.now() - rejectedAt
        resolve({ ms, deliveryCount: delivery.properties.headers?.['x-delivery-count'] })
      })
      .catch((error: unknown) => {
        clearTimeout(timer)
        reject(error as Error)
      })
  })
}
