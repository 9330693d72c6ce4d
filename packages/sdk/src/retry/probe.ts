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
  /** How long the same message took to come back after a nack (never delayed): the baseline. */
  baselineMs?: number
}

/** The probe queue's delay: well above an immediate redelivery (a few ms), cheap at connect. */
export const PROBE_DELAY_MS = 200
const PROBE_TIMEOUT_MS = 3_000

/**
 * Asks the broker by behaviour, not by version: a declare proves nothing (4.3.6 accepts
 * `x-delayed-retry-type: 'bogus'`, 3.10 accepts the arguments and ignores them). One message in
 * a durable quorum queue of a unique name (transient non-exclusive queues are a deprecated
 * feature 4.x may deny; `x-expires` removes it should this process die before deleting it),
 * nacked once (`failed` never delays a nack: the broker's own redelivery time, so a loaded broker
 * is not taken for a delaying one), then rejected once: supported when the reject came back held
 * about the delay longer than the nack, and with `x-delivery-count`, the count broker mode reads
 * attempts from.
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
    const held = await returnTwice(channel, queue)
    if (held === undefined) {
      return {
        supported: false,
        reason: `a rejected message did not come back within ${PROBE_TIMEOUT_MS} ms`,
      }
    }
    const measured = { heldMs: held.rejectMs, baselineMs: held.nackMs }
    if (held.rejectMs - held.nackMs < PROBE_DELAY_MS * 0.75) {
      return {
        supported: false,
        reason:
          `the broker accepts x-delayed-retry-* but redelivered a rejected message after ` +
          `${held.rejectMs} ms (a nacked one after ${held.nackMs} ms) instead of holding it ` +
          `${PROBE_DELAY_MS} ms: no native delayed retry`,
        ...measured,
      }
    }
    if (held.deliveryCount !== 1) {
      return {
        supported: false,
        reason: `the broker delayed a rejected message but set no x-delivery-count to count attempts by`,
        ...measured,
      }
    }
    return {
      supported: true,
      reason:
        `the broker held a rejected message ${held.rejectMs} ms, a nacked one ${held.nackMs} ms ` +
        `(x-delayed-retry-min ${PROBE_DELAY_MS})`,
      ...measured,
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

interface Returns {
  nackMs: number
  rejectMs: number
  deliveryCount: unknown
}

/** Publishes one message, nacks its first delivery, rejects the second, times both returns. */
function returnTwice(channel: Channel, queue: string): Promise<Returns | undefined> {
  return new Promise((resolve, reject) => {
    let deliveries = 0
    let returnedAt = 0
    let nackMs = 0
    const timer = setTimeout(() => resolve(undefined), PROBE_TIMEOUT_MS)
    channel.sendToQueue(queue, Buffer.from('warren delayed-retry probe'))
    channel
      .consume(queue, (delivery) => {
        if (delivery === null) return
        deliveries++
        const now = Date.now()
        if (deliveries === 1) {
          channel.nack(delivery, false, true)
        } else if (deliveries === 2) {
          nackMs = now - returnedAt
          channel.reject(delivery, true)
        } else {
          clearTimeout(timer)
          channel.ack(delivery)
          const deliveryCount: unknown = delivery.properties.headers?.['x-delivery-count']
          resolve({ nackMs, rejectMs: now - returnedAt, deliveryCount })
          return
        }
        returnedAt = now
      })
      .catch((error: unknown) => {
        clearTimeout(timer)
        reject(error as Error)
      })
  })
}
