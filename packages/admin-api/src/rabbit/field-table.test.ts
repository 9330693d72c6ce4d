import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  decodeFieldTable,
  decodeHeaders,
  FieldTableError,
  headerTableBytes,
  MAX_NESTING,
} from './field-table.js'
import type { FieldTable } from './field-table.js'
import { toPlainTable, toPublishTable, toPublishValue } from './field-values.js'

// amqplib's package exports hide its codec; reached by file, it encodes exactly as publish does.
const require = createRequire(import.meta.url)
const codec = require(join(dirname(require.resolve('amqplib')), 'lib/codec.js')) as {
  encodeTable(buffer: Buffer, value: unknown, offset: number): number
}

/** Headers as amqplib's publish writes them (it encodes an object whose prototype they are). */
function amqplibWrites(headers: Record<string, unknown>): Buffer {
  const buffer = Buffer.alloc(64 * 1024)
  return buffer.subarray(0, codec.encodeTable(buffer, Object.create(headers), 0))
}

// Field tables written byte by byte, as pika, the .NET client or RabbitMQ itself would.
const u8 = (n: number) => Buffer.from([n])
const fixed = (size: number, write: (b: Buffer) => void) => {
  const b = Buffer.alloc(size)
  write(b)
  return b
}
const i8 = (n: number) => fixed(1, (b) => b.writeInt8(n))
const i16 = (n: number) => fixed(2, (b) => b.writeInt16BE(n))
const u16 = (n: number) => fixed(2, (b) => b.writeUInt16BE(n))
const i32 = (n: number) => fixed(4, (b) => b.writeInt32BE(n))
const u32 = (n: number) => fixed(4, (b) => b.writeUInt32BE(n))
const i64 = (n: bigint) => fixed(8, (b) => b.writeBigInt64BE(n))
const u64 = (n: bigint) => fixed(8, (b) => b.writeBigUInt64BE(n))
const f32 = (n: number) => fixed(4, (b) => b.writeFloatBE(n))
const f64 = (n: number) => fixed(8, (b) => b.writeDoubleBE(n))
const sized = (bytes: Buffer) => Buffer.concat([u32(bytes.length), bytes])
const field = (tag: string, ...value: Buffer[]) => Buffer.concat([Buffer.from(tag), ...value])
const table = (entries: Array<[string, Buffer]>) =>
  sized(
    Buffer.concat(
      entries.flatMap(([key, value]) => [u8(Buffer.byteLength(key)), Buffer.from(key), value]),
    ),
  )
const array = (values: Buffer[]) => sized(Buffer.concat(values))

/** A table with a field of every type RabbitMQ knows, some in a nested table and array. */
const everyType = table([
  ['boolean', field('t', u8(1))],
  ['int8', field('b', i8(-5))],
  ['uint8', field('B', u8(250))],
  ['int16', field('s', i16(-300))],
  ['uint16', field('u', u16(65_000))],
  ['int32', field('I', i32(-5))],
  ['uint32', field('i', u32(4_000_000_000))],
  ['int64', field('l', i64(2n ** 53n + 1n))],
  ['float', field('f', f32(1.5))],
  ['double', field('d', f64(0.1))],
  ['decimal', field('D', u8(2), i32(-5))],
  ['long-string', field('S', sized(Buffer.from('héllo')))],
  ['bytes', field('x', sized(Buffer.from([0, 255])))],
  ['timestamp', field('T', u64(1_700_000_000n))],
  ['void', field('V')],
  ['table', field('F', table([['inner', field('s', i16(-2))]]))],
  [
    'array',
    field(
      'A',
      array([field('I', i32(-1)), field('S', sized(Buffer.from('a'))), field('A', array([]))]),
    ),
  ],
])

const everyTypeRead = {
  boolean: { type: 't', value: true },
  int8: { type: 'b', value: -5 },
  uint8: { type: 'B', value: 250 },
  int16: { type: 's', value: -300 },
  uint16: { type: 'u', value: 65_000 },
  int32: { type: 'I', value: -5 },
  uint32: { type: 'i', value: 4_000_000_000 },
  int64: { type: 'l', value: 9_007_199_254_740_993n },
  float: { type: 'f', value: 1.5 },
  double: { type: 'd', value: 0.1 },
  decimal: { type: 'D', value: { places: 2, digits: -5 } },
  'long-string': { type: 'S', value: 'héllo' },
  bytes: { type: 'x', value: Buffer.from([0, 255]) },
  timestamp: { type: 'T', value: 1_700_000_000n },
  void: { type: 'V', value: null },
  table: { type: 'F', value: { inner: { type: 's', value: -2 } } },
  array: {
    type: 'A',
    value: [
      { type: 'I', value: -1 },
      { type: 'S', value: 'a' },
      { type: 'A', value: [] },
    ],
  },
}

function decoded(bytes: Buffer): FieldTable {
  const result = decodeFieldTable(bytes)
  if (!result.ok) throw result.error
  return result.value
}

describe('decodeFieldTable', () => {
  it('reads every field with the type tag and value its producer wrote', () => {
    expect(decodeFieldTable(everyType)).toEqual({ ok: true, value: everyTypeRead })
  })

  it('keeps an int64 beyond 2^53 exact and a negative decimal negative', () => {
    const read = decoded(
      table([
        ['big', field('l', i64(-(2n ** 62n) - 7n))],
        ['price', field('D', u8(3), i32(-1250))],
      ]),
    )

    expect(read['big']).toEqual({ type: 'l', value: -4_611_686_018_427_387_911n })
    expect(read['price']).toEqual({ type: 'D', value: { places: 3, digits: -1250 } })
  })

  it('stores a key named __proto__ as an own key of a table without a prototype', () => {
    const read = decoded(
      table([
        ['__proto__', field('F', table([['polluted', field('t', u8(1))]]))],
        ['kept', field('b', i8(1))],
      ]),
    )

    expect(Object.getPrototypeOf(read)).toBeNull()
    expect(Object.keys(read)).toEqual(['__proto__', 'kept'])
    expect(read['polluted']).toBeUndefined()
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined()
  })

  const deep = Array.from({ length: MAX_NESTING + 1 }).reduce<Buffer>(
    (inner) => field('A', array([inner])),
    field('V'),
  )
  it.each([
    ['a value cut short', table([['n', field('I', u16(1))]])],
    ['an unknown type tag', table([['n', field('Z', u8(1))]])],
    ['a length beyond the bytes', Buffer.concat([u32(100), u8(1), Buffer.from('n'), field('V')])],
    ['an inner table longer than the table around it', table([['t', field('F', u32(50))]])],
    [`tables and arrays nested deeper than ${MAX_NESTING}`, table([['deep', deep]])],
    ['bytes after the table', Buffer.concat([table([]), u8(0)])],
  ])('answers an error for %s instead of throwing', (_, bytes) => {
    const result = decodeFieldTable(bytes)

    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.error).toBeInstanceOf(FieldTableError)
    expect(result.error.code).toBe('malformed-field-table')
  })
})

describe('decodeHeaders', () => {
  const shortstr = (text: string) => Buffer.concat([u8(text.length), Buffer.from(text)])
  const headers = table([['retries', field('I', i32(-5))]])

  it('finds the header table after the content type and encoding', () => {
    const properties = Buffer.concat([
      u16(0x8000 | 0x4000 | 0x2000 | 0x1000),
      shortstr('application/json'),
      shortstr('utf-8'),
      headers,
      u8(2),
    ])

    expect(decodeHeaders(properties)).toEqual({
      ok: true,
      value: { retries: { type: 'I', value: -5 } },
    })
  })

  it('reads no headers from properties without the headers flag', () => {
    expect(decodeHeaders(Buffer.concat([u16(0x8000), shortstr('text/plain')]))).toEqual({
      ok: true,
      value: undefined,
    })
  })

  it('gives the header table`s own bytes, to be kept whole', () => {
    const properties = Buffer.concat([
      u16(0x8000 | 0x2000 | 0x1000),
      shortstr('text/plain'),
      headers,
      u8(2),
    ])

    expect(headerTableBytes(properties)).toEqual({ ok: true, value: headers })
  })

  it('answers an error for a header table cut short', () => {
    const properties = Buffer.concat([u16(0x2000), headers.subarray(0, 7)])

    expect(decodeHeaders(properties).ok).toBe(false)
    expect(headerTableBytes(properties).ok).toBe(false)
  })
})

describe('toPublishTable', () => {
  it('makes amqplib write every field back as the very bytes it was read from', () => {
    const withProto = table([
      ['__proto__', field('S', sized(Buffer.from('x')))],
      ['all', field('F', everyType)],
    ])

    expect(amqplibWrites(toPublishTable(decoded(everyType)))).toEqual(everyType)
    expect(amqplibWrites(toPublishTable(decoded(withProto)))).toEqual(withProto)
  })

  it('tells amqplib each type instead of leaving it to guess', () => {
    const publish = toPublishTable(decoded(table([['retries', field('I', i32(-5))]])))

    expect(publish).toEqual({ retries: { '!': 'int32', value: -5 } })
    // Left to guess, amqplib writes -5 as an int8.
    expect(amqplibWrites({ retries: -5 })).toEqual(table([['retries', field('b', i8(-5))]]))
  })

  it('writes a negative decimal, which amqplib refuses as it reads it', () => {
    const bytes = table([['price', field('D', u8(2), i32(-5))]])

    expect(() =>
      amqplibWrites({ price: { '!': 'decimal', value: { places: 2, digits: -5 } } }),
    ).toThrow()
    expect(amqplibWrites(toPublishTable(decoded(bytes)))).toEqual(bytes)
  })

  it('keeps a nested table with a key "!" a table', () => {
    const bytes = table([['odd', field('F', table([['!', field('t', u8(0))]]))]])

    expect(amqplibWrites(toPublishTable(decoded(bytes)))).toEqual(bytes)
  })

  it('republishes a long string that is not UTF-8 as a byte array with the same bytes', () => {
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9])
    const read = decoded(table([['name', field('S', sized(latin1))]]))

    expect(read['name']).toMatchObject({ type: 'S', bytes: latin1 })
    expect(toPublishValue(read['name'] ?? { type: 'V', value: null })).toEqual(latin1)
  })
})

describe('toPlainTable', () => {
  it('gives plain values, exact as strings where a number would round', () => {
    const plain = toPlainTable(decoded(everyType))

    expect(plain).toEqual({
      boolean: true,
      int8: -5,
      uint8: 250,
      int16: -300,
      uint16: 65_000,
      int32: -5,
      uint32: 4_000_000_000,
      int64: '9007199254740993',
      float: 1.5,
      double: 0.1,
      decimal: -0.05,
      'long-string': 'héllo',
      bytes: Buffer.from([0, 255]),
      timestamp: 1_700_000_000,
      void: null,
      table: { inner: -2 },
      array: [-1, 'a', []],
    })
    expect(Object.getPrototypeOf(plain)).toBeNull()
    expect(Object.getPrototypeOf(plain['table'])).toBeNull()
  })

  it('keeps a header named __proto__ one header among the others', () => {
    const plain = toPlainTable(
      decoded(
        table([
          [
            '__proto__',
            field(
              'F',
              table([['warren-original-queue', field('S', sized(Buffer.from('elsewhere')))]]),
            ),
          ],
          ['warren-original-queue', field('S', sized(Buffer.from('orders')))],
        ]),
      ),
    )

    expect(Object.keys(plain)).toEqual(['__proto__', 'warren-original-queue'])
    expect(plain['warren-original-queue']).toBe('orders')
    expect(plain['__proto__']).toEqual({ 'warren-original-queue': 'elsewhere' })
  })
})
