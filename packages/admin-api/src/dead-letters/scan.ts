import { randomUUID } from 'node:crypto'
import type { ConfirmChannel, Message, Options } from 'amqplib'
import { ApiError } from '../errors.js'
import type { Progress } from '../operations/registry.js'
import { ConfirmedPublisher, describeOutcome } from '../rabbit/amqp-publisher.js'
import { messageKey } from './ids.js'
import type { FailedMessage } from './schemas.js'

/** Where to publish a copy of a dead letter before it is removed. */
export interface Republish {
  routingKey: string
  content: Buffer
  options: Options.Publish
}

export interface ScanOptions {
  queue: string
  /** Messages in the queue when the operation started: the scan never reads further. */
  count: number
  /**
   * Decides, in queue order, what happens to each message: a copy to publish (the message is
   * then acked once the copy is confirmed), or `null` to leave it where it is.
   */
  decide(message: Message, id: string): Republish | null
  progress: Progress
  /**
   * Gives up waiting when no message came for this long (another consumer took them).
   * @default 2000
   */
  idleMs?: number
  /**
   * The consumer's prefetch when the queue holds more messages; tests lower it to reach the
   * basic.get fallback with a few messages.
   * @default 65535 (the AMQP maximum: the prefetch count is a 16-bit field)
   */
  prefetchLimit?: number
}

export interface ScanOutcome {
  /** Ids of the messages whose copy was confirmed and which were removed. */
  moved: string[]
  failed: FailedMessage[]
}

/** The AMQP prefetch count is a 16-bit field. */
const MAX_PREFETCH = 65_535

/**
 * Reads the first `count` messages of `queue`, publishes a copy of those `decide` picks through
 * the default exchange (`mandatory`, confirmed) and acks each original only after its copy is
 * confirmed. Everything else stays unacked until the caller closes the channel, which puts those
 * messages back where they were; messages that arrive meanwhile lie beyond `count` and are never
 * touched. Confirms are pipelined: nothing waits for one publish before the next.
 *
 * Messages left where they are stay unacked, so they fill the consumer's prefetch window, which
 * cannot exceed 65,535. When held messages fill it and no pending confirm will free a slot, the
 * broker delivers nothing more to the consumer: the rest is read with basic.get, which no
 * prefetch limits (one round trip per message, so slower, but never stalled).
 */
export function scanQueue(channel: ConfirmChannel, options: ScanOptions): Promise<ScanOutcome> {
  const { queue, count, decide, progress } = options
  const idleMs = options.idleMs ?? 2000
  const prefetch = Math.min(count, options.prefetchLimit ?? MAX_PREFETCH)
  const consumerTag = `warren-scan-${randomUUID()}`
  const publisher = new ConfirmedPublisher(channel)
  const moved: string[] = []
  const failed: FailedMessage[] = []
  let received = 0
  let acked = 0
  let consuming = true
  let reading: 'consume' | 'get' = 'consume'

  return new Promise<ScanOutcome>((resolve, reject) => {
    let settled = false
    let idle: NodeJS.Timeout | undefined

    const finish = (error?: unknown) => {
      if (settled) return
      if (error === undefined && (consuming || publisher.pending > 0)) return
      settled = true
      clearTimeout(idle)
      publisher.dispose()
      channel.removeListener('close', onClose)
      if (error !== undefined) reject(error)
      else resolve({ moved, failed })
    }

    const stopConsuming = () => {
      if (!consuming) return
      consuming = false
      clearTimeout(idle)
      if (reading === 'consume') channel.cancel(consumerTag).catch(() => {})
      finish()
    }

    const armIdle = () => {
      clearTimeout(idle)
      idle = setTimeout(stopConsuming, idleMs)
    }

    const onClose = () => {
      finish(new ApiError(502, 'amqp-interrupted', 'The AMQP channel closed during the operation'))
    }

    const readTheRest = async () => {
      reading = 'get'
      clearTimeout(idle)
      await channel.cancel(consumerTag)
      while (consuming) {
        const message = await channel.get(queue, { noAck: false })
        if (message === false) break // another consumer took the rest
        handle(message)
      }
      stopConsuming()
    }

    // Every message received and not acked is held in the window, so when they fill it the
    // broker has nothing in flight and sends nothing more until a pending confirm frees a slot.
    const whenStalled = () => {
      const stalled =
        reading === 'consume' &&
        consuming &&
        received - acked >= prefetch &&
        publisher.pending === 0
      if (stalled) readTheRest().catch((error: unknown) => finish(error))
    }

    const handle = (message: Message) => {
      received += 1
      if (received > count) return // arrived after the start: held, given back on close
      const id = messageKey(message)
      const copy = decide(message, id)
      if (copy === null) {
        progress.advance()
      } else {
        publisher.publish(copy.routingKey, copy.content, copy.options, (outcome) => {
          if (outcome === 'confirmed') {
            channel.ack(message)
            acked += 1
            moved.push(id)
          } else {
            failed.push({ id, reason: describeOutcome(outcome, copy.routingKey) })
          }
          progress.advance()
          whenStalled()
          finish()
        })
      }
      if (received === count) stopConsuming()
      else if (reading === 'consume') {
        armIdle()
        whenStalled()
      }
    }

    const onMessage = (message: Message | null) => {
      // null: the broker cancelled us because the queue was deleted.
      if (message === null) stopConsuming()
      else handle(message)
    }

    channel.on('close', onClose)
    progress.setTotal(count)
    if (count === 0) {
      consuming = false
      finish()
      return
    }
    channel
      .prefetch(prefetch)
      .then(() => channel.consume(queue, onMessage, { noAck: false, consumerTag }))
      .then(() => {
        if (consuming && reading === 'consume' && received === 0) armIdle()
      })
      .catch((error: unknown) => finish(error))
  })
}
