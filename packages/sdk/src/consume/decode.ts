import type { ConsumeMessage } from 'amqplib'
import type { Keyring } from '../encryption/keyring.js'
import { isSealed, open } from '../encryption/seal.js'
import { WarrenError } from '../errors.js'
import { HEADERS } from '../headers.js'
import { validateBody } from '../publish/validate.js'
import { receivedName, schemaOf, type MessageSchemas } from '../topology/message-name.js'

/** `content` is the plaintext: the delivery's bytes, decrypted when they were sealed. */
export type Decoded = { ok: true; body: unknown; content: Buffer } | { ok: false; error: Error }

/** The routing key a message was first published with: retries arrive with the tier's. */
export function originalRoutingKey(delivery: ConsumeMessage): string {
  const header: unknown = delivery.properties.headers?.[HEADERS.originalRoutingKey]
  return typeof header === 'string' ? header : delivery.fields.routingKey
}

/**
 * JSON (or no content type) is parsed, text is a string, anything else stays bytes; then the
 * schema of the message's name (its `type`, else its routing key: `topology/message-name.ts`)
 * validates it. A sealed (encrypted) body
 * is opened first with the key its header names.
 */
export function decodeBody(
  delivery: ConsumeMessage,
  messages: MessageSchemas | undefined,
  routingKey: string,
  keyring?: Keyring,
): Decoded {
  let contentType: unknown = delivery.properties.contentType
  let content = delivery.content
  const headers = delivery.properties.headers ?? {}
  if (isSealed(contentType, headers)) {
    const opened = open(keyring, content, headers)
    if (!opened.ok) return opened
    content = opened.content
    contentType = opened.contentType
  }
  let body: unknown
  if (contentType === undefined || contentType === 'application/json') {
    try {
      body = JSON.parse(content.toString())
    } catch (error) {
      return {
        ok: false,
        error: new WarrenError('INVALID_PAYLOAD', 'body is not valid JSON', { cause: error }),
      }
    }
  } else if (typeof contentType === 'string' && contentType.startsWith('text/')) {
    body = content.toString()
  } else {
    body = content
  }
  const schema = schemaOf(messages, receivedName(delivery.properties.type, routingKey))
  if (!schema) return { ok: true, body, content }
  const result = validateBody(schema, body, `message for '${routingKey}'`)
  return result.ok ? { ok: true, body: result.data, content } : { ok: false, error: result.error }
}
