import type { ConsumeMessage, Options } from 'amqplib'
import { copyProperties } from '../protocol/index.js'
import { uuidv7 } from '../publish/uuid.js'
import { failureHeaders, type Failure } from './failure-headers.js'

/**
 * Publish options of a retried or dead-lettered copy: the original's properties (so the copy is
 * the same message to every reader), persistent and mandatory, with the given headers.
 */
export function failureCopyOptions(
  delivery: ConsumeMessage,
  headers: Record<string, unknown>,
): Options.Publish & { messageId: string } {
  const { messageId: given, ...properties } = copyProperties(delivery.properties, [
    'deliveryMode',
    'replyTo',
    'expiration',
  ])
  // A message from a client that set no id gets one, so its copies can be told apart.
  const messageId = typeof given === 'string' && given !== '' ? given : uuidv7()
  return { ...properties, messageId, persistent: true, mandatory: true, headers }
}

/** A failure's copy for its retry tier or dead-letter queue: new headers, the old properties. */
export function failureCopy(failure: Failure): Options.Publish & { messageId: string } {
  return failureCopyOptions(failure.delivery, failureHeaders(failure))
}
