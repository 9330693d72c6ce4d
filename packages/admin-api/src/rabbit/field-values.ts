// A decoded field table turned into what each reader needs: the values amqplib's publish must be
// given to write the very same bytes again, or plain data for parsing and display.
import type { FieldTable, FieldValue } from './field-table.js'

/** A field value as plain data: what a parser or a screen wants. */
export type PlainValue = null | boolean | number | string | Buffer | PlainValue[] | PlainTable

/** A null-prototype object, like a `FieldTable`. */
export type PlainTable = { [key: string]: PlainValue }

/** amqplib's names for the types it can only be told, not left to guess. */
const AMQPLIB_TYPE = {
  b: 'int8',
  B: 'uint8',
  s: 'int16',
  u: 'uint16',
  I: 'int32',
  i: 'uint32',
  l: 'int64',
  T: 'timestamp',
  f: 'float',
  d: 'double',
} as const

/**
 * What amqplib's `publish` must be given to write `table` exactly as it was read: typed values
 * (`{ '!': 'int32', value: -5 }`, bigints for int64 and timestamps) all the way down, in a
 * null-prototype object.
 *
 * @example
 * channel.publish('', queue, content, { headers: toPublishTable(table) })
 */
export function toPublishTable(table: FieldTable): Record<string, unknown> {
  const out = Object.create(null) as Record<string, unknown>
  for (const [key, field] of Object.entries(table)) out[key] = toPublishValue(field)
  return out
}

/** One value for amqplib's `publish`; see {@link toPublishTable}. */
export function toPublishValue(field: FieldValue): unknown {
  switch (field.type) {
    case 't':
    case 'x':
    case 'V':
      return field.value
    case 'D':
      // amqplib writes the digits unsigned and refuses a negative; `>>> 0` is the same 4 bytes.
      return {
        '!': 'decimal',
        value: { places: field.value.places, digits: field.value.digits >>> 0 },
      }
    case 'S':
      // amqplib writes strings as UTF-8 only: bytes that are not UTF-8 can be kept, but only as
      // a byte array. The value matters more than the tag to whoever reads it.
      return field.bytes ?? field.value
    case 'A':
      return field.value.map(toPublishValue)
    case 'F': {
      const table = toPublishTable(field.value)
      // amqplib takes any object with an own `!` for a typed value; a table with a key `!` has
      // to be said to be one.
      return Object.hasOwn(table, '!') ? { '!': 'object', value: table } : table
    }
    default:
      return { '!': AMQPLIB_TYPE[field.type], value: field.value }
  }
}

/**
 * `table` as plain data, for parsing and display: numbers, strings, booleans, Buffers (`x`),
 * arrays and null-prototype objects. An int64 or timestamp (seconds) beyond
 * `Number.MAX_SAFE_INTEGER` is a decimal string, so it stays exact and JSON can carry it; a
 * decimal is the nearest number to `digits / 10^places`.
 */
export function toPlainTable(table: FieldTable): PlainTable {
  const out = Object.create(null) as PlainTable
  for (const [key, field] of Object.entries(table)) out[key] = toPlainValue(field)
  return out
}

/** One value as plain data; see {@link toPlainTable}. */
export function toPlainValue(field: FieldValue): PlainValue {
  switch (field.type) {
    case 'l':
    case 'T': {
      const number = Number(field.value)
      return Number.isSafeInteger(number) ? number : field.value.toString()
    }
    case 'D':
      return field.value.digits / 10 ** field.value.places
    case 'A':
      return field.value.map(toPlainValue)
    case 'F':
      return toPlainTable(field.value)
    default:
      return field.value
  }
}
