import { createHash } from 'node:crypto'
import type { Message, MessageProperties } from 'amqplib'
import type { FieldValue } from '../rabbit/field-table.js'
import { typedHeadersOf } from '../rabbit/message-headers.js'
import { messageKey } from './ids.js'
import { parseDeadLetter, type DeadLetterFacts } from './parse.js'
import { decodePayload, MAX_PAYLOAD_VIEW } from './payload.js'
import type { JsonValue, MessageView } from './schemas.js'
import { time } from './time.js'

// A page lists hundreds of messages written by anyone, so nothing in one of them may fail the
// page: every value is shown, raw with a note when it cannot be shown as what it claims to be,
// every walk is bounded, and a message whose view fails anyway still gets a minimal one.

export { isEncrypted } from './payload.js'

/** Headers nested deeper than this are cut: x-death is three levels deep. */
const MAX_FIELD_DEPTH = 32
/** A view carries at most this many notes; a thousand bad array items need not a thousand. */
const MAX_NOTES = 20

type AmqpMessage = Pick<Message, 'content' | 'properties'>

/** Turns a raw AMQP message into what the console shows. Never throws. */
export function toMessageView(message: AmqpMessage): MessageView {
  try {
    return fullView(message)
  } catch (error) {
    return minimalView(message, error)
  }
}

function fullView(message: AmqpMessage): MessageView {
  const { properties, content } = message
  const notes: string[] = []
  const headers = readHeaders(properties, notes)
  const view: MessageView = {
    id: idOf(message, notes),
    messageId: typeof properties.messageId === 'string' ? properties.messageId : null,
    ...deadLetterFacts(headers, notes),
    properties: propertiesView(properties, notes),
    headers: fieldView(headers, 'headers', notes, 0) as Record<string, JsonValue>,
    ...decodePayload(properties, headers, content, notes),
    payloadBytes: content.length,
  }
  if (notes.length > 0) view.notes = capped(notes)
  return view
}

function deadLetterFacts(headers: Record<string, unknown>, notes: string[]): DeadLetterFacts {
  try {
    return parseDeadLetter(headers)
  } catch (error) {
    notes.push(`the dead-letter headers could not be read (${describe(error)}): see the headers`)
    return NO_FACTS
  }
}

const NO_FACTS: DeadLetterFacts = {
  reason: null,
  originalQueue: null,
  exchange: null,
  routingKey: null,
  attempts: null,
  error: null,
  deadLetteredAt: null,
  explanation: null,
}

/**
 * The message's id, or when its properties cannot be hashed (a bigint header) a hash of its body
 * alone: such a message is listed, but the operations, which use the full id, cannot find it.
 */
function idOf(message: AmqpMessage, notes?: string[]): string {
  try {
    return messageKey(message)
  } catch (error) {
    notes?.push(`its id could not be derived (${describe(error)}): it is a hash of the body only`)
    const content = Buffer.isBuffer(message?.content) ? message.content : Buffer.alloc(0)
    return `sha256:${createHash('sha256').update(content).digest('hex').slice(0, 32)}`
  }
}

/** Only the id, the size and the first bytes, and why. */
function minimalView(message: AmqpMessage, error: unknown): MessageView {
  const content = Buffer.isBuffer(message?.content) ? message.content : Buffer.alloc(0)
  const messageId: unknown = message?.properties?.messageId
  return {
    id: idOf(message),
    messageId: typeof messageId === 'string' ? messageId : null,
    ...NO_FACTS,
    properties: {},
    headers: {},
    payload: content.subarray(0, MAX_PAYLOAD_VIEW).toString('base64'),
    payloadEncoding: 'base64',
    payloadTruncated: content.length > MAX_PAYLOAD_VIEW,
    payloadBytes: content.length,
    notes: [`the message could not be shown in full (${describe(error)}): its body is shown raw`],
  }
}

function propertiesView(properties: MessageProperties, notes: string[]): Record<string, JsonValue> {
  const entries: [string, JsonValue][] = []
  for (const [key, value] of Object.entries(properties)) {
    if (key === 'headers' || value === undefined || value === null) continue
    const iso = key === 'timestamp' ? time(value) : undefined
    if (key === 'timestamp' && iso === undefined) {
      notes.push(`property timestamp ${show(value)} is out of range: shown as its raw value`)
    }
    const raw = key === 'timestamp' && typeof value === 'number' && Number.isFinite(value)
    entries.push([key, iso ?? (raw ? value : fieldView(value, `property ${key}`, notes, 0))])
  }
  return Object.fromEntries(entries)
}

/** Header names that say their value is a time: warren-last-failed-at, MT-Fault-Timestamp... */
const TIME_NAME = /\b(?:at|time|timestamp|date|deadline)$/i

/**
 * An AMQP field value as JSON: typed values unwrapped, timestamps as ISO 8601, byte arrays as
 * base64; what JSON cannot hold (NaN, bigints, a time no date can hold) as text or its raw value,
 * with a note naming `where` it is.
 */
export function fieldView(value: unknown, where: string, notes: string[], depth = 0): JsonValue {
  if (value === null || value === undefined) return null
  if (typeof value === 'string' || typeof value === 'boolean') return value
  if (typeof value === 'number') return numberView(value, where, notes)
  if (typeof value === 'bigint') {
    notes.push(`${where} ${value} is beyond 2^53, where JSON numbers round: shown as its digits`)
    return value.toString()
  }
  if (value instanceof Uint8Array) return { base64: Buffer.from(value).toString('base64') }
  if (typeof value !== 'object') {
    notes.push(`${where} is a ${typeof value}: shown as text`)
    return String(value)
  }
  if (depth >= MAX_FIELD_DEPTH) {
    notes.push(`${where} nests deeper than ${MAX_FIELD_DEPTH} levels: the rest is not shown`)
    return '…'
  }
  if (Array.isArray(value)) {
    return value.map((item, index) => fieldView(item, `${where}[${index}]`, notes, depth + 1))
  }
  if (value instanceof Date) return time(value.getTime()) ?? String(value)
  const typed = value as { '!'?: unknown; value?: unknown }
  if (typed['!'] === 'timestamp') {
    const iso = time(value)
    if (iso !== undefined) return iso
    notes.push(`${where} timestamp ${show(typed.value)} is out of range: shown as its raw value`)
    return typeof typed.value === 'bigint'
      ? String(typed.value)
      : fieldView(typed.value, where, notes)
  }
  if (typed['!'] === 'decimal' && typeof typed.value === 'object' && typed.value !== null) {
    const { places, digits } = typed.value as { places: unknown; digits: unknown }
    if (typeof places === 'number' && typeof digits === 'number') return digits / 10 ** places
  }
  if (typeof typed['!'] === 'string' && 'value' in typed) {
    return fieldView(typed.value, where, notes, depth + 1)
  }
  const entries = tableEntries(value).map(([key, inner]): [string, JsonValue] => {
    const path = where === 'headers' ? `header ${key}` : `${where}.${key}`
    if (key === '__proto__') notes.push(`${path} is shown as sent; it stands for no other header`)
    if (typeof inner === 'number' && TIME_NAME.test(key) && time(inner) === undefined) {
      notes.push(`${path} ${show(inner)} is out of range: shown as its raw value`)
      return [key, Number.isFinite(inner) ? inner : String(inner)]
    }
    return [key, fieldView(inner, path, notes, depth + 1)]
  })
  // fromEntries defines `__proto__` as a key of its own, where an assignment would set the prototype.
  return Object.fromEntries(entries)
}

function numberView(value: number, where: string, notes: string[]): JsonValue {
  if (Number.isFinite(value)) return value
  notes.push(`${where} is ${value}, which JSON cannot hold: shown as text`)
  return String(value)
}

/**
 * A field table's own entries. amqplib reads a table into an object by assignment, so a header
 * named `__proto__` whose value is a table becomes the object's prototype (and its keys would pass
 * for headers): it is recovered here as the entry it was.
 */
function tableEntries(table: object): [string, unknown][] {
  const entries: [string, unknown][] = Object.entries(table)
  const smuggled = smuggledPrototype(table)
  if (smuggled !== undefined) entries.push(['__proto__', smuggled])
  return entries
}

function smuggledPrototype(table: object): object | undefined {
  if (Object.hasOwn(table, '__proto__')) return undefined
  const proto: unknown = Object.getPrototypeOf(table)
  if (typeof proto !== 'object' || proto === null || proto === Object.prototype) return undefined
  const { constructor } = proto as { constructor?: unknown }
  // A class instance's prototype is its constructor's; a smuggled table is nobody's.
  const owned = typeof constructor === 'function' && constructor.prototype === proto
  return owned ? undefined : proto
}

/**
 * The headers as sent, read from the message's own bytes with each field's type (a `__proto__`
 * header is a header, an int64 past 2^53 stays exact, an archived message shows the table its copy
 * kept whole), as the values amqplib gives, with bigints where a number would round. Bytes that do
 * not read fall back to amqplib's values, with a note.
 */
function readHeaders(properties: MessageProperties, notes: string[]): Record<string, unknown> {
  const read = typedHeadersOf(properties)
  if (read.error !== undefined) {
    notes.push(
      `the headers did not read as sent (${describe(read.error)}): shown as amqplib read them`,
    )
    return ownHeaders(properties.headers)
  }
  const entries = Object.entries(read.headers).map(([key, field]) => [key, plain(field, 1)])
  // Without the bytes the table is guessed from amqplib's values, where `__proto__` is the prototype.
  const smuggled = smuggledPrototype(read.decoded)
  if (smuggled !== undefined) entries.push(['__proto__', ownFields(smuggled, 1)])
  return Object.fromEntries(entries) as Record<string, unknown>
}

/** A typed field as amqplib would give it: typed timestamps and decimals, bigints past 2^53. */
function plain(field: FieldValue, depth: number): unknown {
  if (depth > MAX_FIELD_DEPTH) return '…' // deeper than the view shows
  const exact = (n: bigint) => (Number.isSafeInteger(Number(n)) ? Number(n) : n)
  switch (field.type) {
    case 'l':
      return exact(field.value)
    case 'T':
      return { '!': 'timestamp', value: exact(field.value) }
    case 'D':
      return { '!': 'decimal', value: field.value }
    case 'S':
      return field.bytes ?? field.value // bytes that are not UTF-8 are shown as bytes
    case 'A':
      return field.value.map((item) => plain(item, depth + 1))
    case 'F':
      return Object.fromEntries(
        Object.entries(field.value).map(([key, inner]) => [key, plain(inner, depth + 1)]),
      )
    default:
      return field.value
  }
}

/** Headers as plain data for parsing: own entries only, `__proto__` recovered, depth bounded. */
function ownHeaders(headers: unknown): Record<string, unknown> {
  const own = typeof headers === 'object' && headers !== null ? ownFields(headers, 0) : {}
  return typeof own === 'object' && own !== null && !Array.isArray(own)
    ? (own as Record<string, unknown>)
    : {}
}

function ownFields(value: unknown, depth: number): unknown {
  if (typeof value !== 'object' || value === null || depth > MAX_FIELD_DEPTH) return value
  if (value instanceof Uint8Array || value instanceof Date) return value
  if (Array.isArray(value)) return value.map((item: unknown) => ownFields(item, depth + 1))
  return Object.fromEntries(
    tableEntries(value).map(([key, inner]) => [key, ownFields(inner, depth + 1)]),
  )
}

function capped(notes: string[]): string[] {
  if (notes.length <= MAX_NOTES) return notes
  return [...notes.slice(0, MAX_NOTES), `and ${notes.length - MAX_NOTES} more like these`]
}

function show(value: unknown): string {
  return typeof value === 'number' || typeof value === 'bigint' ? String(value) : describe(value)
}

function describe(error: unknown): string {
  try {
    if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 200)
    return String(error).slice(0, 200)
  } catch {
    return 'unknown error'
  }
}
