import type { ConsumeMessage } from 'amqplib'
import { HEADERS, type DeadLetterReason } from '../headers.js'

export const MAX_STACK_BYTES = 8 * 1024
const MAX_MESSAGE_BYTES = 4 * 1024

/** Cuts a string to at most `maxBytes` of UTF-8, never in the middle of a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text)
  if (bytes.length <= maxBytes) return text
  let end = maxBytes
  // Step back over continuation bytes (10xxxxxx) so the cut falls on a character boundary.
  while (end > 0 && ((bytes[end] as number) & 0xc0) === 0x80) end--
  return bytes.subarray(0, end).toString()
}

/** One failed attempt at a delivery, as its retried or dead-lettered copy records it. */
export interface Failure {
  delivery: ConsumeMessage
  /** The queue the delivery was consumed from. */
  queue: string
  attempt: number
  error: unknown
  /** `service@host:pid` of the consumer that failed. */
  consumer: string
  /** Set for a dead letter; a retry has none. */
  reason?: DeadLetterReason
  now?: Date
}

/**
 * Headers of a retried or dead-lettered copy: the original's own headers without the broker's
 * `x-` ones, then every `warren-*` header of the README's Headers.
 */
export function failureHeaders(input: Failure): Record<string, unknown> {
  const { delivery, error } = input
  const original = delivery.properties.headers ?? {}
  const headers: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(original)) {
    if (!key.startsWith('x-')) headers[key] = value
  }
  const now = (input.now ?? new Date()).toISOString()
  const err = error instanceof Error ? error : new Error(String(error))
  headers[HEADERS.attempt] = input.attempt
  headers[HEADERS.originalQueue] = input.queue
  headers[HEADERS.originalExchange] =
    stringHeader(original, HEADERS.originalExchange) ?? delivery.fields.exchange
  headers[HEADERS.originalRoutingKey] =
    stringHeader(original, HEADERS.originalRoutingKey) ?? delivery.fields.routingKey
  headers[HEADERS.errorName] = err.name
  headers[HEADERS.errorMessage] = truncateUtf8(err.message, MAX_MESSAGE_BYTES)
  headers[HEADERS.errorStack] = truncateUtf8(err.stack ?? '', MAX_STACK_BYTES)
  headers[HEADERS.firstFailedAt] = stringHeader(original, HEADERS.firstFailedAt) ?? now
  headers[HEADERS.lastFailedAt] = now
  headers[HEADERS.consumer] = input.consumer
  if (input.reason) headers[HEADERS.deadLetterReason] = input.reason
  else delete headers[HEADERS.deadLetterReason]
  return headers
}

function stringHeader(headers: Record<string, unknown>, name: string): string | undefined {
  const value = headers[name]
  return typeof value === 'string' ? value : undefined
}
