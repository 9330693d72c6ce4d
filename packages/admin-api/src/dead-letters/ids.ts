import { createHash } from 'node:crypto'
import type { Message } from 'amqplib'

/**
 * Headers the broker changes when it redelivers a message; an id derived from them would change
 * each time somebody browses.
 */
const VOLATILE_HEADERS = new Set(['x-delivery-count', 'x-stream-offset'])

/** The stable id of a message: its messageId, else a hash of its body and properties. */
export function messageKey(message: Pick<Message, 'content' | 'properties'>): string {
  const { messageId } = message.properties
  if (typeof messageId === 'string' && messageId !== '') return messageId
  const { headers = {}, ...rest } = message.properties
  const stable = Object.fromEntries(
    Object.entries(headers as Record<string, unknown>).filter(
      ([key]) => !VOLATILE_HEADERS.has(key),
    ),
  )
  return `sha256:${createHash('sha256')
    .update(message.content)
    .update(canonicalJson({ ...rest, headers: stable }))
    .digest('hex')
    .slice(0, 32)}`
}

function canonicalJson(value: unknown): string {
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString('base64'))
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner)}`).join(',')}}`
  }
  return JSON.stringify(value) ?? 'null'
}
