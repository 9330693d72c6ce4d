// AMQP 0-9-1 field tables read with every field's type kept. amqplib turns a header table into
// plain JS values, so republishing them makes it guess each type again (int32 -5 goes back as
// int8, uint32 as int32, float as double, int64 past 2^53 loses digits). This module reads the
// bytes themselves into a typed tree; field-values.ts turns that tree into what amqplib must be
// given to write the same bytes again, or into plain values for parsing and display.
import { isUtf8 } from 'node:buffer'
import { AdminApiError } from '../errors.js'

/**
 * A field's type tag, in RabbitMQ's dialect of the 0-9-1 errata (where `s` is a signed 16-bit
 * integer, not a short string): `t` boolean, `b`/`B` int8/uint8, `s`/`u` int16/uint16, `I`/`i`
 * int32/uint32, `l` int64, `f` float, `d` double, `D` decimal, `S` long string, `x` byte array,
 * `A` array, `T` timestamp, `F` table, `V` void.
 */
export type FieldTag = FieldValue['type']

/** A decimal as the wire holds it: `digits × 10^-places`; `digits` read as signed 32-bit. */
export interface Decimal {
  places: number
  digits: number
}

/** One field value with its type tag; 64-bit integers and timestamps are bigints. */
export type FieldValue =
  | { type: 't'; value: boolean }
  | { type: 'b' | 'B' | 's' | 'u' | 'I' | 'i' | 'f' | 'd'; value: number }
  | { type: 'l' | 'T'; value: bigint }
  | { type: 'D'; value: Decimal }
  /** `bytes` only when the string's bytes are not UTF-8, so `value` is not what the wire says. */
  | { type: 'S'; value: string; bytes?: Buffer }
  | { type: 'x'; value: Buffer }
  | { type: 'A'; value: FieldValue[] }
  | { type: 'F'; value: FieldTable }
  | { type: 'V'; value: null }

/** A field table; a null-prototype object, so a key named `__proto__` is a key like any other. */
export type FieldTable = { [key: string]: FieldValue }

/** Bytes that are not a well-formed field table (or content header); `offset` is where it broke. */
export class FieldTableError extends AdminApiError {
  constructor(
    message: string,
    readonly offset: number,
    options?: { cause?: unknown },
  ) {
    super('malformed-field-table', message, options)
  }
}

/** The outcome of a decode: never thrown, so one bad message cannot fail a page of them. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; error: FieldTableError }

/**
 * Tables and arrays nest at most this deep. It bounds the recursion of every walk over a decoded
 * tree, so a hostile message cannot overflow the stack; no real header comes close.
 */
export const MAX_NESTING = 64

/** Content-header property flags that come before the headers. */
const CONTENT_TYPE = 0x8000
const CONTENT_ENCODING = 0x4000
/** The content-header property flag of the headers (the third property). */
export const HEADERS_FLAG = 0x2000

/**
 * The header table from a content header's property bytes (the 16-bit flags and the property
 * fields, i.e. a header frame's payload after class id, weight and body size); `undefined` when
 * the message has no headers.
 *
 * @example
 * const decoded = decodeHeaders(propertyBytes)
 * if (decoded.ok) console.log(decoded.value?.['retries']) // { type: 'I', value: -5 }
 */
export function decodeHeaders(properties: Buffer): Decoded<FieldTable | undefined> {
  return attempt(properties, (reader) => (toHeaders(reader) ? readTable(reader, 0) : undefined))
}

/** The header table's wire bytes (its 32-bit length included) from a content header's properties. */
export function headerTableBytes(properties: Buffer): Decoded<Buffer | undefined> {
  return attempt(properties, (reader) => {
    if (!toHeaders(reader)) return undefined
    const start = reader.offset
    reader.skip(reader.uint32())
    return Buffer.from(properties.subarray(start, reader.offset))
  })
}

/** Moves the reader to the header table; false when the properties have none. */
function toHeaders(reader: Reader): boolean {
  const flags = reader.uint16()
  if (flags & CONTENT_TYPE) reader.skip(reader.uint8())
  if (flags & CONTENT_ENCODING) reader.skip(reader.uint8())
  // The properties after the headers are amqplib's to read; they are not looked at here.
  return (flags & HEADERS_FLAG) !== 0
}

/** A field table from its wire bytes, the 32-bit length included; nothing may follow it. */
export function decodeFieldTable(bytes: Buffer): Decoded<FieldTable> {
  return attempt(bytes, (reader) => {
    const table = readTable(reader, 0)
    if (!reader.done) throw new FieldTableError('bytes follow the table', reader.offset)
    return table
  })
}

function attempt<T>(bytes: Buffer, read: (reader: Reader) => T): Decoded<T> {
  const reader = new Reader(bytes)
  try {
    return { ok: true, value: read(reader) }
  } catch (error) {
    if (error instanceof FieldTableError) return { ok: false, error }
    const text = error instanceof Error ? error.message : String(error)
    return { ok: false, error: new FieldTableError(text, reader.offset, { cause: error }) }
  }
}

/** Reads forward through bytes, never past the end of the table or array it is inside. */
class Reader {
  offset = 0
  #end: number
  readonly #bytes: Buffer

  constructor(bytes: Buffer) {
    this.#bytes = bytes
    this.#end = bytes.length
  }

  get done(): boolean {
    return this.offset >= this.#end
  }

  /** The offset of the next `length` bytes, which are then behind the reader. */
  take(length: number): number {
    const at = this.offset
    if (length > this.#end - at) {
      throw new FieldTableError(`needs ${length} bytes at offset ${at}, ${this.#end - at} left`, at)
    }
    this.offset += length
    return at
  }

  skip(length: number): void {
    this.take(length)
  }

  uint8 = () => this.#bytes.readUInt8(this.take(1))
  uint16 = () => this.#bytes.readUInt16BE(this.take(2))
  uint32 = () => this.#bytes.readUInt32BE(this.take(4))
  int8 = () => this.#bytes.readInt8(this.take(1))
  int16 = () => this.#bytes.readInt16BE(this.take(2))
  int32 = () => this.#bytes.readInt32BE(this.take(4))
  int64 = () => this.#bytes.readBigInt64BE(this.take(8))
  uint64 = () => this.#bytes.readBigUInt64BE(this.take(8))
  float = () => this.#bytes.readFloatBE(this.take(4))
  double = () => this.#bytes.readDoubleBE(this.take(8))

  /** A copy, so a decoded value does not keep a whole frame's buffer alive. */
  bytes(length: number): Buffer {
    const at = this.take(length)
    return Buffer.from(this.#bytes.subarray(at, at + length))
  }

  /** Runs `read` over the next `length` bytes as if they were all there is. */
  within<T>(length: number, read: () => T): T {
    const start = this.take(length)
    const outer = this.#end
    this.offset = start
    this.#end = start + length
    try {
      return read()
    } finally {
      this.offset = this.#end
      this.#end = outer
    }
  }
}

function readTable(reader: Reader, depth: number): FieldTable {
  const table: FieldTable = Object.create(null) as FieldTable
  reader.within(reader.uint32(), () => {
    while (!reader.done) {
      const key = reader.bytes(reader.uint8()).toString('utf8')
      // On a null-prototype object, assigning `__proto__` makes an own property like any key.
      // A key given twice keeps its last value, as amqplib and RabbitMQ's lookups see it.
      table[key] = readValue(reader, depth)
    }
  })
  return table
}

function readArray(reader: Reader, depth: number): FieldValue[] {
  const values: FieldValue[] = []
  reader.within(reader.uint32(), () => {
    while (!reader.done) values.push(readValue(reader, depth))
  })
  return values
}

function readValue(reader: Reader, depth: number): FieldValue {
  const at = reader.offset
  const tag = String.fromCharCode(reader.uint8())
  switch (tag) {
    case 't':
      return { type: 't', value: reader.uint8() !== 0 }
    case 'b':
      return { type: 'b', value: reader.int8() }
    case 'B':
      return { type: 'B', value: reader.uint8() }
    case 's':
      return { type: 's', value: reader.int16() }
    case 'u':
      return { type: 'u', value: reader.uint16() }
    case 'I':
      return { type: 'I', value: reader.int32() }
    case 'i':
      return { type: 'i', value: reader.uint32() }
    case 'l':
      return { type: 'l', value: reader.int64() }
    case 'f':
      return { type: 'f', value: reader.float() }
    case 'd':
      return { type: 'd', value: reader.double() }
    // pika and .NET write the digits signed; read unsigned, -5 would come back as 4294967291.
    case 'D':
      return { type: 'D', value: { places: reader.uint8(), digits: reader.int32() } }
    case 'T':
      return { type: 'T', value: reader.uint64() }
    case 'S': {
      const bytes = reader.bytes(reader.uint32())
      const value = bytes.toString('utf8')
      return isUtf8(bytes) ? { type: 'S', value } : { type: 'S', value, bytes }
    }
    case 'x':
      return { type: 'x', value: reader.bytes(reader.uint32()) }
    case 'V':
      return { type: 'V', value: null }
    case 'A':
    case 'F':
      if (depth >= MAX_NESTING) {
        throw new FieldTableError(`tables and arrays nest deeper than ${MAX_NESTING}`, at)
      }
      return tag === 'A'
        ? { type: 'A', value: readArray(reader, depth + 1) }
        : { type: 'F', value: readTable(reader, depth + 1) }
    default:
      throw new FieldTableError(`unknown field type tag 0x${tag.charCodeAt(0).toString(16)}`, at)
  }
}
