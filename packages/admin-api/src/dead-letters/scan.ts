import { randomUUID } from 'node:crypto'
import type { ConfirmChannel, Message, Options } from 'amqplib'
import { ApiError } from '../errors.js'
import type { Progress } from '../operations/registry.js'
import { ConfirmedPublisher, describeOutcome } from '../rabbit/amqp-publisher.js'
import { MessageIds } from './ids.js'
import type { HandBack, ReadMode } from './reading.js'
import { republishOptions } from './republish.js'
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
   * What happens to the messages `decide` leaves where they are (see reading.ts):
   * `give-back` hands them back with a requeueing nack once the scan is done; `reseat` puts an
   * identical copy of each back into the queue and acks the original once the copy is confirmed.
   * @default 'give-back'
   */
  leftAlone?: ReadMode
  /**
   * How the messages still held at the end go back (reading.ts): a requeueing nack, or the
   * caller's channel close.
   * @default 'close'
   */
  handBack?: HandBack
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
  /** Messages re-seated in the queue (mode `reseat`). */
  reseated: number
}

/** The AMQP prefetch count is a 16-bit field. */
const MAX_PREFETCH = 65_535
/** Unacked messages at most while re-seating. */
const RESEAT_WINDOW = 200

/**
 * Reads the first `count` messages of `queue`, publishes a copy of those `decide` picks through
 * the default exchange (`mandatory`, confirmed) and acks each original only after its copy is
 * confirmed. Everything else is left where it is, as `leftAlone` says: held unacked and handed
 * back at the end as `handBack` says (a nack comes after the consumer is cancelled, so the
 * broker does not deliver them again, and before the channel closes), or re-seated. Messages that arrive
 * meanwhile lie beyond `count`: left where they are the same way, never decided on. Confirms are
 * pipelined: nothing waits for one publish before the next.
 *
 * Messages left where they are stay unacked, so they fill the consumer's prefetch window, which
 * cannot exceed 65,535. When held messages fill it and no pending confirm will free a slot, the
 * broker delivers nothing more to the consumer: the rest is read with basic.get, which no
 * prefetch limits (one round trip per message, so slower, but never stalled).
 */
export function scanQueue(channel: ConfirmChannel, options: ScanOptions): Promise<ScanOutcome> {
  const { queue, count, decide, progress } = options
  const reseat = options.leftAlone === 'reseat'
  const idleMs = options.idleMs ?? 2000
  // Re-seating acks as it goes, so a small window keeps few messages unacked: a crash of this
  // process hands those back, at the cost of one delivery each.
  const limit = options.prefetchLimit ?? (reseat ? RESEAT_WINDOW : MAX_PREFETCH)
  const prefetch = Math.max(1, Math.min(count, limit))
  const consumerTag = `warren-scan-${randomUUID()}`
  const publisher = new ConfirmedPublisher(channel)
  const ids = new MessageIds()
  const moved: string[] = []
  const failed: FailedMessage[] = []
  let reseated = 0
  let received = 0
  let acked = 0
  let consuming = true
  let reading: 'consume' | 'get' = 'consume'

  return new Promise<ScanOutcome>((resolve, reject) => {
    let settled = false
    let idle: NodeJS.Timeout | undefined

    // No consumer of ours is left: every delivery it will ever get has arrived.
    let cancelDone = false
    const finish = (error?: unknown) => {
      if (settled) return
      if (error === undefined && (consuming || !cancelDone || publisher.pending > 0)) return
      settled = true
      clearTimeout(idle)
      publisher.dispose()
      channel.removeListener('close', onClose)
      if (error !== undefined) return reject(error)
      // Everything still unacked goes back in one frame, in delivery order.
      if (options.handBack === 'nack') channel.nackAll(true)
      resolve({ moved, failed, reseated })
    }

    const stopConsuming = () => {
      if (!consuming) return
      consuming = false
      clearTimeout(idle)
      if (reading === 'get') {
        cancelDone = true
        return finish()
      }
      channel.cancel(consumerTag).then(
        () => {
          cancelDone = true
          finish()
        },
        (error: unknown) => finish(error),
      )
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
      cancelDone = true
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

    // An identical copy back into the queue; the original is acked once the copy is confirmed.
    const putBack = (message: Message, id: string, done: () => void) => {
      const copy = republishOptions(message.properties, message.properties.headers ?? {})
      publisher.publish(queue, message.content, copy, (outcome) => {
        if (outcome === 'confirmed') {
          channel.ack(message)
          acked += 1
          reseated += 1
        } else {
          if (id !== '') {
            failed.push({
              id,
              reason: `could not be re-seated: ${describeOutcome(outcome, queue)}`,
            })
          }
        }
        done()
        whenStalled()
        finish()
      })
    }

    const handle = (message: Message) => {
      received += 1
      if (received > count) {
        // Arrived after the start: never decided on, left where it is.
        if (reseat) putBack(message, '', () => {})
        return
      }
      const id = ids.next(message)
      const copy = decide(message, id)
      if (copy === null) {
        if (reseat) putBack(message, id, () => progress.advance())
        else progress.advance()
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
      cancelDone = true
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
