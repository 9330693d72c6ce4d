import type { Message, MessageProperties } from 'amqplib'
import { messageKey } from './ids.js'
import { parseDeadLetter, time } from './parse.js'
import type { JsonValue, MessageView, PayloadEncoding } from './schemas.js'

/** Bodies larger than this are shown truncated; the full body stays in the queue. */
const MAX_PAYLOAD_VIEW = 64 * 1024

/** Turns a raw AMQP message into what the console shows. */
export function toMessageView(message: Pick<Message, 'content' | 'properties'>): MessageView {
  const { properties, content } = message
  const headers = (properties.headers ?? {}) as Record<string, unknown>
  const facts = parseDeadLetter(headers)
  const body = decodePayload(properties, headers, content)
  return {
    id: messageKey(message),
    messageId: typeof properties.messageId === 'string' ? properties.messageId : null,
    ...facts,
    properties: propertiesView(properties),
    headers: jsonSafe(headers) as Record<string, JsonValue>,
    ...body,
    payloadBytes: content.length,
  }
}

/** Whether `needle` (lower case) occurs in the message's error, reason, routing key or body. */
export function matches(view: MessageView, content: Buffer, needle: string): boolean {
  const haystack = [
    view.id,
    view.reason,
    view.routingKey,
    view.originalQueue,
    view.error?.name,
    view.error?.message,
    view.payloadEncoding === 'encrypted' ? null : content.toString('utf8'),
  ]
  return haystack.some((value) => typeof value === 'string' && value.toLowerCase().includes(needle))
}

export function isEncrypted(
  properties: MessageProperties,
  headers: Record<string, unknown>,
): boolean {
  const type = typeof properties.contentType === 'string' ? properties.contentType : ''
  const encoding = typeof properties.contentEncoding === 'string' ? properties.contentEncoding : ''
  return (
    /encrypted/i.test(type) ||
    /encrypt|jwe|aes/i.test(encoding) ||
    headers['warren-encryption'] !== undefined ||
    headers['warren-encrypted'] !== undefined
  )
}

function decodePayload(
  properties: MessageProperties,
  headers: Record<string, unknown>,
  content: Buffer,
): { payload: JsonValue; payloadEncoding: PayloadEncoding; payloadTruncated: boolean } {
  if (isEncrypted(properties, headers)) {
    return { payload: null, payloadEncoding: 'encrypted', payloadTruncated: false }
  }
  const truncated = content.length > MAX_PAYLOAD_VIEW
  const shown = truncated ? content.subarray(0, MAX_PAYLOAD_VIEW) : content
  const encoding = typeof properties.contentEncoding === 'string' ? properties.contentEncoding : ''
  // A compressed body is bytes whatever its content type says.
  const textual = encoding === '' || encoding === 'identity' || /utf-?8/i.test(encoding)
  const text = textual ? utf8(shown, truncated) : undefined
  if (text === undefined) {
    return {
      payload: shown.toString('base64'),
      payloadEncoding: 'base64',
      payloadTruncated: truncated,
    }
  }
  if (!truncated) {
    const type = typeof properties.contentType === 'string' ? properties.contentType : ''
    if (/json/i.test(type) || /^\s*[[{"]/.test(text)) {
      try {
        return {
          payload: JSON.parse(text) as JsonValue,
          payloadEncoding: 'json',
          payloadTruncated: false,
        }
      } catch {
        // Not JSON after all: show it as text.
      }
    }
  }
  return { payload: text, payloadEncoding: 'text', payloadTruncated: truncated }
}

function utf8(bytes: Buffer, truncated: boolean): string | undefined {
  try {
    // A cut may split a multi-byte character: decode leniently at the end only.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: truncated })
  } catch {
    return undefined
  }
}

function propertiesView(properties: MessageProperties): Record<string, JsonValue> {
  const view: Record<string, JsonValue> = {}
  for (const [key, value] of Object.entries(properties)) {
    if (key === 'headers' || value === undefined || value === null) continue
    view[key] = key === 'timestamp' ? (time(value) ?? jsonSafe(value)) : jsonSafe(value)
  }
  return view
}

/** AMQP field values as JSON: typed values unwrapped, byte arrays as base64. */
export function jsonSafe(value: unknown): JsonValue {
  if (value === null || value === undefined) return null
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value)
  if (typeof value === 'bigint') return value.toString()
  if (Buffer.isBuffer(value)) return { base64: value.toString('base64') }
  if (Array.isArray(value)) return value.map(jsonSafe)
  if (typeof value === 'object') {
    const typed = value as { '!'?: unknown; value?: unknown }
    if (typed['!'] === 'timestamp') return time(value) ?? null
    if (typed['!'] === 'decimal' && typeof typed.value === 'object' && typed.value !== null) {
      const { places, digits } = typed.value as { places: number; digits: number }
      return digits / 10 ** places
    }
    if (typeof typed['!'] === 'string') return jsonSafe(typed.value)
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, jsonSafe(inner)]))
  }
  return String(value)
}
