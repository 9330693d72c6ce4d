import type { ConsumeMessage, Options } from 'amqplib'
import { HEADERS } from '../headers.js'
import { copyProperties } from '../protocol/index.js'

/** Headers that steer a delayed message through the levels; dropped when it is delivered. */
export const DELAY_HEADERS = [
  HEADERS.delayExchange,
  HEADERS.delayRoutingKey,
  HEADERS.delayUntil,
  HEADERS.delayExpiration,
] as const

// What the deliver queue's own failures and requeues add: the destination starts afresh.
const DELIVERY_FAILURE_HEADERS = new Set<string>([
  ...DELAY_HEADERS,
  HEADERS.attempt,
  HEADERS.deadLetterReason,
  HEADERS.originalQueue,
  HEADERS.originalExchange,
  HEADERS.originalRoutingKey,
  HEADERS.errorName,
  HEADERS.errorMessage,
  HEADERS.errorStack,
  HEADERS.firstFailedAt,
  HEADERS.lastFailedAt,
  HEADERS.consumer,
  HEADERS.requeueCount,
  HEADERS.requeuedAt,
])

/** Where a delayed message goes once its time has come, read from its headers. */
export function destinationOf(
  delivery: ConsumeMessage,
): { exchange: string; routingKey: string } | undefined {
  const headers = delivery.properties.headers ?? {}
  const exchange: unknown = headers[HEADERS.delayExchange]
  const routingKey: unknown = headers[HEADERS.delayRoutingKey]
  if (typeof exchange !== 'string' || typeof routingKey !== 'string') return undefined
  return { exchange, routingKey }
}

/**
 * The delivered message as it was published: same id, properties, body bytes (sealed ones stay
 * sealed) and the caller's headers, without the broker's `x-death` history of the levels or the
 * delay headers; its expiration starts now.
 */
export function forwardOptions(delivery: ConsumeMessage): Options.Publish & { messageId: string } {
  const p = delivery.properties
  const original = p.headers ?? {}
  const headers: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(original)) {
    if (!key.startsWith('x-') && !DELIVERY_FAILURE_HEADERS.has(key)) headers[key] = value
  }
  const { messageId, ...properties } = copyProperties(p, ['deliveryMode', 'expiration'])
  const options: Options.Publish & { messageId: string } = {
    ...properties,
    messageId: typeof messageId === 'string' ? messageId : '',
    persistent: p.deliveryMode !== 1,
    mandatory: true,
    headers,
  }
  const expiration: unknown = original[HEADERS.delayExpiration]
  if (typeof expiration === 'string' || typeof expiration === 'number') {
    options.expiration = String(expiration)
  }
  return options
}
