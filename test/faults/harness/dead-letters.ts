import { HEADERS } from '@warren/sdk'
import amqp, { type ChannelModel } from 'amqplib'
import { DEAD_LETTER_QUEUE } from './topology.js'

/** What reached the DLQ: messageId, the reason header and the attempt header of each. */
export interface DeadLetter {
  messageId: string
  reason: unknown
  attempt: unknown
}

/**
 * Consumes the scenario's DLQ with plain amqplib (the SDK consumes work queues only), so that
 * dead-lettered messages count as consumed: they are in Warren's custody, not lost.
 */
export async function consumeDeadLetters(
  url: string,
  onDeadLetter: (letter: DeadLetter) => void,
): Promise<{ close(): Promise<void> }> {
  const model: ChannelModel = await amqp.connect(url)
  model.on('error', () => {})
  const channel = await model.createChannel()
  await channel.consume(DEAD_LETTER_QUEUE, (message) => {
    if (!message) return
    const headers = message.properties.headers ?? {}
    onDeadLetter({
      messageId: String(message.properties.messageId),
      reason: headers[HEADERS.deadLetterReason],
      attempt: headers[HEADERS.attempt],
    })
    channel.ack(message)
  })
  return { close: () => model.close().catch(() => {}) }
}
