import type { ConsumeMessage } from 'amqplib'
import type { z } from 'zod'
import { WarrenError } from '../errors.js'
import { HEADERS } from '../headers.js'
import { validateBody } from '../publish/validate.js'

export type Decoded = { ok: true; body: unknown } | { ok: false; error: Error }

/** The routing key a message was first published with: retries arrive with the tier's. */
export function originalRoutingKey(delivery: ConsumeMessage): string {
  const header: unknown = delivery.properties.headers?.[HEADERS.originalRoutingKey]
  return typeof header === 'string' ? header : delivery.fields.routingKey
}

/**
 * JSON (or no content type) is parsed, text is a string, anything else stays bytes; then the
 * schema of the message's routing key, or of its `type`, validates it.
 */
export function decodeBody(
  delivery: ConsumeMessage,
  messages: Readonly<Record<string, z.ZodType>> | undefined,
  routingKey: string,
): Decoded {
  const contentType: unknown = delivery.properties.contentType
  let body: unknown
  if (contentType === undefined || contentType === 'application/json') {
    try {
      body = JSON.parse(delivery.content.toString())
    } catch (error) {
      return {
        ok: false,
        error: new WarrenError('INVALID_PAYLOAD', 'body is not valid JSON', { cause: error }),
      }
    }
  } else if (typeof contentType === 'string' && contentType.startsWith('text/')) {
    body = delivery.content.toString()
  } else {
    body = delivery.content
  }
  const type: unknown = delivery.properties.type
  const schema = messages?.[routingKey] ?? (typeof type === 'string' ? messages?.[type] : undefined)
  if (!schema) return { ok: true, body }
  const result = validateBody(schema, body, `message for '${routingKey}'`)
  return result.ok ? { ok: true, body: result.data } : { ok: false, error: result.error }
}
