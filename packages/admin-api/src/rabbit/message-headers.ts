// Why this exists: amqplib decodes a message's header table into plain JS values and forgets the
// AMQP type of every field, and it stores keys with `fields[key] = val`, so a header named
// `__proto__` becomes the headers object's prototype instead of a header. Anything republished
// from those values (requeue, archive, restore) would come out retyped, rounded or missing.
//
// amqplib decodes header frames inside `Connection#recvFrame`, through bindings it captured when
// its modules loaded, so patching its exports changes nothing. Instead `captureRawProperties`
// wraps `recvFrame` on one connection instance (the admin API's own, never a user's) and leaves
// each header frame's raw property bytes on amqplib's decoded properties object (which becomes
// `message.properties`) under a symbol: not enumerable, so nothing that walks, copies or prints
// properties sees a difference. The readers below decode those bytes with their types, and fall
// back to amqplib's values, typed the way amqplib would type them, when no bytes are attached.
import type { ChannelModel, MessageProperties } from 'amqplib'
import { decodeHeaders, FieldTableError, HEADERS_FLAG, headerTableBytes } from './field-table.js'
import type { FieldTable, FieldValue } from './field-table.js'
import { toPlainTable } from './field-values.js'
import type { PlainTable } from './field-values.js'

const RAW = Symbol('warren.raw-properties')

interface RawProperties {
  /** The header frame's property flags and fields. */
  bytes: Buffer
  /** The headers object amqplib decoded from the same bytes. */
  decoded: unknown
}

/** What amqplib's Connection has and does not declare in its types. */
interface FrameSource {
  rest: Buffer
  maxFrameSize: number
  recvSinceLastCheck: boolean
  stream: { read(): Buffer | null }
  recvFrame(this: FrameSource): unknown
}

/** Frame type, channel and payload size come first; a frame-end octet closes the frame. */
const FRAME_PREFIX = 7
const FRAME_END_SIZE = 1
const FRAME_HEADER = 2
/** In a header frame's payload: class id, weight and body size, then the properties. */
const PROPERTIES_AT = 12

/**
 * Makes every message this connection receives carry its header frame's raw property bytes, for
 * {@link typedHeadersOf} and {@link safeHeadersOf}. Returns false (and changes nothing) when the
 * connection is not the amqplib one this was written against; messages then read as amqplib
 * decoded them.
 */
export function captureRawProperties(model: ChannelModel): boolean {
  const connection = model.connection as unknown as Partial<FrameSource>
  const original = connection.recvFrame
  if (typeof original !== 'function' || !Buffer.isBuffer(connection.rest)) return false
  connection.recvFrame = function recvFrame(this: FrameSource) {
    // Buffer until one whole frame is in `rest`, as amqplib would: its recvFrame then decodes
    // exactly that frame, the first one in `rest`, whose bytes are therefore known here.
    for (;;) {
      const size = this.rest.length >= FRAME_PREFIX ? this.rest.readUInt32BE(3) : undefined
      // Oversized: amqplib's recvFrame fails the connection without reading on.
      if (size !== undefined && this.maxFrameSize > 0 && size > this.maxFrameSize) break
      if (size !== undefined && this.rest.length >= FRAME_PREFIX + size + FRAME_END_SIZE) break
      const incoming = this.stream.read()
      if (incoming === null) return false
      this.recvSinceLastCheck = true
      this.rest = Buffer.concat([this.rest, incoming])
    }
    const header = this.rest[0] === FRAME_HEADER
    const end = FRAME_PREFIX + this.rest.readUInt32BE(3)
    const bytes = header ? Buffer.from(this.rest.subarray(FRAME_PREFIX + PROPERTIES_AT, end)) : null
    const frame = original.call(this)
    if (bytes !== null && isObject(frame) && isObject(frame['fields'])) {
      const raw: RawProperties = { bytes, decoded: frame['fields']['headers'] }
      Object.defineProperty(frame['fields'], RAW, { value: raw })
    }
    return frame
  }
  return true
}

/**
 * Copies the raw bytes that {@link captureRawProperties} left on `from` onto `to`: a spread of
 * properties loses them, since they are not enumerable.
 */
export function keepRawProperties<T extends object>(from: MessageProperties, to: T): T {
  const raw = rawOf(from)
  if (raw) Object.defineProperty(to, RAW, { value: raw })
  return to
}

/**
 * The message's header table as it arrived, in wire bytes (its 32-bit length included);
 * undefined when no raw bytes were attached or the message has no headers.
 */
export function headerTableOf(properties: MessageProperties): Buffer | undefined {
  const raw = rawOf(properties)
  const table = raw ? headerTableBytes(raw.bytes) : undefined
  return table?.ok ? table.value : undefined
}

/**
 * Gives `to` a header table to read from other than its own header frame's, e.g. one kept apart
 * by whoever stored the message: `table` in wire bytes (as {@link headerTableOf} gives them), and
 * `decoded` the headers object the caller's view of the headers starts from.
 */
export function attachHeaderTable<T extends object>(to: T, table: Buffer, decoded: unknown): T {
  const flags = Buffer.alloc(2)
  flags.writeUInt16BE(HEADERS_FLAG)
  const raw: RawProperties = { bytes: Buffer.concat([flags, table]), decoded }
  Object.defineProperty(to, RAW, { value: raw })
  return to
}

/** Headers read from a message, and how. */
export interface HeadersRead<T> {
  headers: T
  /**
   * The headers object amqplib decoded from the same bytes (even when `properties.headers` was
   * replaced since), so a caller can tell the values it changed from those it kept.
   */
  decoded: Record<string, unknown>
  /** Set when raw bytes were attached and could not be read: `headers` are then amqplib's. */
  error?: FieldTableError
}

/**
 * A message's headers with the AMQP type of every field as the producer wrote it, read from the
 * raw bytes when {@link captureRawProperties} attached them and typed the way amqplib would type
 * its decoded values otherwise. Never throws.
 *
 * @example
 * const { headers } = typedHeadersOf(message.properties)
 * headers['retries'] // { type: 'I', value: -5 }
 */
export function typedHeadersOf(properties: MessageProperties): HeadersRead<FieldTable> {
  const raw = rawOf(properties)
  const decoded = asRecord(raw ? raw.decoded : properties.headers)
  if (raw) {
    const read = decodeHeaders(raw.bytes)
    if (read.ok) return { headers: read.value ?? emptyTable(), decoded }
    return { ...guessed(decoded), error: read.error }
  }
  return guessed(decoded)
}

/**
 * A message's headers as plain data in a null-prototype object (see `toPlainTable`): a header
 * named `__proto__` is one header among the others and changes none of them. Never throws.
 */
export function safeHeadersOf(properties: MessageProperties): HeadersRead<PlainTable> {
  const read = typedHeadersOf(properties)
  return { ...read, headers: toPlainTable(read.headers) }
}

function guessed(decoded: Record<string, unknown>): HeadersRead<FieldTable> {
  try {
    return { headers: guessFieldTable(decoded), decoded }
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error)
    return { headers: emptyTable(), decoded, error: new FieldTableError(text, 0, { cause: error }) }
  }
}

/**
 * The typed field amqplib writes for a JS value when it is left to guess: integers as the
 * smallest signed type that holds them, other numbers as doubles, `{ '!': type, value }` as told.
 * Where amqplib would throw instead (a fraction above 2^50, NaN, a bigint) this picks double or
 * int64. Throws a TypeError for a value amqplib cannot write at all (a function, an unknown `!`).
 */
export function guessFieldValue(value: unknown): FieldValue {
  if (value === null || value === undefined) return { type: 'V', value: null }
  if (typeof value === 'number') return guessNumber(value)
  if (typeof value === 'bigint') return { type: 'l', value }
  if (typeof value === 'string') return { type: 'S', value }
  if (typeof value === 'boolean') return { type: 't', value }
  if (Buffer.isBuffer(value)) return { type: 'x', value }
  if (Array.isArray(value)) return { type: 'A', value: value.map(guessFieldValue) }
  if (isObject(value)) {
    if (Object.hasOwn(value, '!')) return told(value['!'], value['value'])
    return { type: 'F', value: guessFieldTable(value) }
  }
  throw new TypeError(`amqplib cannot write a ${typeof value} header value`)
}

/** {@link guessFieldValue} for every own key; undefined values are left out, as amqplib does. */
export function guessFieldTable(object: Record<string, unknown>): FieldTable {
  const table = emptyTable()
  for (const [key, value] of Object.entries(object)) {
    if (value !== undefined) table[key] = guessFieldValue(value)
  }
  return table
}

function guessNumber(value: number): FieldValue {
  if (!Number.isInteger(value) || Math.abs(value) >= 2 ** 63) return { type: 'd', value }
  if (value >= -0x80 && value < 0x80) return { type: 'b', value }
  if (value >= -0x8000 && value < 0x8000) return { type: 's', value }
  if (value >= -0x80000000 && value < 0x80000000) return { type: 'I', value }
  return { type: 'l', value: BigInt(value) }
}

/** amqplib's `{ '!': type, value }` names, aliases included, with the tag each one writes. */
const TOLD: Record<string, 'b' | 'B' | 's' | 'u' | 'I' | 'i' | 'f' | 'd'> = {
  int8: 'b',
  byte: 'b',
  uint8: 'B',
  unsignedbyte: 'B',
  int16: 's',
  short: 's',
  uint16: 'u',
  unsignedshort: 'u',
  int32: 'I',
  int: 'I',
  uint32: 'i',
  unsignedint: 'i',
  float: 'f',
  double: 'd',
  float64: 'd',
}

function told(type: unknown, value: unknown): FieldValue {
  const tag = typeof type === 'string' ? TOLD[type] : undefined
  if (tag !== undefined) return { type: tag, value: Number(value) }
  if (type === 'int64' || type === 'long') return { type: 'l', value: BigInt(value as number) }
  if (type === 'timestamp') return { type: 'T', value: BigInt(value as number) }
  if (type === 'decimal' && isObject(value)) {
    // amqplib reads the digits unsigned; the tree holds them signed, as the wire means them.
    const digits = Number(value['digits']) | 0
    return { type: 'D', value: { places: Number(value['places']), digits } }
  }
  if (type === 'string') return { type: 'S', value: String(value) }
  if (type === 'boolean') return { type: 't', value: Boolean(value) }
  if (type === 'number') return guessNumber(Number(value))
  // amqplib writes a told 'object' by its shape alone, so a table may have a key `!` this way.
  if (type === 'object') {
    if (isObject(value) && !Array.isArray(value) && !Buffer.isBuffer(value)) {
      return { type: 'F', value: guessFieldTable(value) }
    }
    return guessFieldValue(value ?? null)
  }
  throw new TypeError(`amqplib cannot write a header value of type '${String(type)}'`)
}

function rawOf(properties: MessageProperties): RawProperties | undefined {
  const raw: unknown = (properties as unknown as Record<symbol, unknown>)[RAW]
  return isObject(raw) && Buffer.isBuffer(raw['bytes'])
    ? (raw as unknown as RawProperties)
    : undefined
}

function emptyTable(): FieldTable {
  return Object.create(null) as FieldTable
}

function asRecord(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {}
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}
