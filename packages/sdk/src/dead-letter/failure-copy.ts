import type { ConsumeMessage, Options } from 'amqplib'
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
  const p = delivery.properties
  // A message from a client that set no id gets one, so its copies can be told apart.
  const messageId = typeof p.messageId === 'string' && p.messageId !== '' ? p.messageId : uuidv7()
  const options: Options.Publish & { messageId: string } = {
    messageId,
    persistent: true,
    mandatory: true,
    headers,
  }
  if (p.contentType !== undefined) options.contentType = p.contentType as string
  if (p.contentEncoding !== undefined) options.contentEncoding = p.contentEncoding as string
  if (p.correlationId !== undefined) options.correlationId = p.correlationId as string
  if (p.type !== undefined) options.type = p.type as string
  if (p.appId !== undefined) options.appId = p.appId as string
  if (p.timestamp !== undefined) options.timestamp = p.timestamp as number
  if (p.priority !== undefined) options.priority = p.priority as number
  return options
}

/** A failure's copy for its retry tier or dead-letter queue: new headers, the old properties. */
export function failureCopy(failure: Failure): Options.Publish & { messageId: string } {
  return failureCopyOptions(failure.delivery, failureHeaders(failure))
}
