import { createHash } from 'node:crypto'
import { BROKER_DELIVERY_HEADERS } from '@warren/sdk/protocol'
import type { Message } from 'amqplib'
import { safeHeadersOf } from '../rabbit/message-headers.js'

// Ids of dead letters: what browse shows and what requeue and delete take. An id stays the same
// while its message stays in the queue, and two messages never share one.

/**
 * Headers the broker changes when it delivers a message again (RabbitMQ 4.3 adds
 * x-acquired-count); an id derived from them would change each time somebody browses.
 */
const VOLATILE_HEADERS = new Set(BROKER_DELIVERY_HEADERS)

/**
 * The id its producer gave a message: the messageId property, else the id a framework keeps in
 * a header (Celery's protocol 2 puts the task id in `id`, beside `task`).
 */
function producerId(properties: Message['properties']): string | undefined {
  const { messageId } = properties
  if (typeof messageId === 'string' && messageId !== '') return messageId
  const headers = (properties.headers ?? {}) as Record<string, unknown>
  const celeryId = headers['id']
  if (typeof celeryId === 'string' && celeryId !== '' && typeof headers['task'] === 'string') {
    return celeryId
  }
  return undefined
}

/**
 * The id of a message before twins are told apart: its producer's id, else a hash of its body
 * and properties (without the headers the broker rewrites on delivery).
 */
export function messageKey(message: Pick<Message, 'content' | 'properties'>): string {
  const given = producerId(message.properties)
  if (given !== undefined) return given
  const { headers: _amqplibHeaders, ...rest } = message.properties
  // The headers as the producer wrote them (read from the message's bytes where kept), so a
  // `__proto__` header or an int64 beyond 2^53 count like any other value.
  const { headers } = safeHeadersOf(message.properties)
  const stable = Object.fromEntries(
    Object.entries(headers).filter(([key]) => !VOLATILE_HEADERS.has(key)),
  )
  return `sha256:${createHash('sha256')
    .update(message.content)
    .update(canonicalJson({ ...rest, headers: stable }))
    .digest('hex')
    .slice(0, 32)}`
}

/**
 * Numbers messages that share a key (byte-identical twins, or one messageId published twice) in
 * queue order: the first keeps the key, the next are `key~2`, `key~3`. Every read of a queue
 * starts at its head, so a message keeps its id while it and the twins before it stay, and an
 * operation on `key~2` acts on exactly one message.
 */
export class MessageIds {
  readonly #seen = new Map<string, number>()

  next(message: Pick<Message, 'content' | 'properties'>): string {
    const key = messageKey(message)
    const n = (this.#seen.get(key) ?? 0) + 1
    this.#seen.set(key, n)
    return n === 1 ? key : `${key}~${n}`
  }
}

/** Deeper than this, a value is hashed by its place only: ids never recurse without bound. */
const MAX_DEPTH = 64

/** JSON with sorted keys, bigints and Buffers spelled out: one value, one text, for hashing. */
export function canonicalJson(value: unknown, depth = 0): string {
  if (depth > MAX_DEPTH) return '"…"'
  if (typeof value === 'bigint') return JSON.stringify(`${value}n`)
  if (Buffer.isBuffer(value)) return JSON.stringify(value.toString('base64'))
  if (Array.isArray(value))
    return `[${value.map((inner) => canonicalJson(inner, depth + 1)).join(',')}]`
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, inner]) => inner !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, inner]) => `${JSON.stringify(key)}:${canonicalJson(inner, depth + 1)}`).join(',')}}`
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return JSON.stringify(String(value))
  return JSON.stringify(value) ?? 'null'
}
