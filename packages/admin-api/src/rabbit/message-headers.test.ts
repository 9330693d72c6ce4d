import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { PassThrough } from 'node:stream'
import type { ChannelModel, MessageProperties } from 'amqplib'
import { describe, expect, it } from 'vitest'
import {
  attachHeaderTable,
  captureRawProperties,
  guessFieldTable,
  headerTableOf,
  keepRawProperties,
  safeHeadersOf,
  typedHeadersOf,
} from './message-headers.js'
import { decodeFieldTable } from './field-table.js'

// amqplib's package exports hide its internals; reached by file, these are the very Connection
// class and codec the admin API's connections run.
const require = createRequire(import.meta.url)
const lib = join(dirname(require.resolve('amqplib')), 'lib')
const { Connection } = require(join(lib, 'connection.js')) as {
  Connection: new (stream: PassThrough) => { recvFrame(): unknown }
}
const codec = require(join(lib, 'codec.js')) as {
  encodeTable(buffer: Buffer, value: unknown, offset: number): number
}

function amqplibWrites(headers: Record<string, unknown>): Buffer {
  const buffer = Buffer.alloc(64 * 1024)
  return buffer.subarray(0, codec.encodeTable(buffer, Object.create(headers), 0))
}

function frame(type: number, payload: Buffer): Buffer {
  const prefix = Buffer.alloc(7)
  prefix.writeUInt8(type, 0)
  prefix.writeUInt16BE(1, 1)
  prefix.writeUInt32BE(payload.length, 3)
  return Buffer.concat([prefix, payload, Buffer.from([0xce])])
}

/** A content header frame whose only property is the header table `table`. */
function headerFrame(table: Buffer): Buffer {
  const start = Buffer.alloc(14)
  start.writeUInt16BE(60, 0) // class basic
  start.writeBigUInt64BE(5n, 4) // body size
  start.writeUInt16BE(0x2000, 12) // property flags: headers
  return frame(2, Buffer.concat([start, table]))
}

const heartbeat = frame(8, Buffer.alloc(0))
const body = frame(3, Buffer.from('hello'))

/** Feeds `bytes` to an amqplib Connection in chunks of `chunk` bytes; returns what it decoded. */
function receive(bytes: Buffer, options: { chunk?: number; capture?: boolean } = {}) {
  const stream = new PassThrough()
  const connection = new Connection(stream)
  if (options.capture !== false) {
    expect(captureRawProperties({ connection } as unknown as ChannelModel)).toBe(true)
  }
  const frames: unknown[] = []
  const chunk = options.chunk ?? bytes.length
  for (let at = 0; at < bytes.length; at += chunk) {
    stream.write(bytes.subarray(at, at + chunk))
    for (let next = connection.recvFrame(); next; next = connection.recvFrame()) frames.push(next)
  }
  return frames
}

/** The properties amqplib decodes from a header frame carrying `headers` as written by amqplib. */
function received(headers: Record<string, unknown>): MessageProperties {
  const [decoded] = receive(headerFrame(amqplibWrites(headers)))
  return (decoded as { fields: MessageProperties }).fields
}

describe('captureRawProperties', () => {
  const table = amqplibWrites({
    retries: { '!': 'int32', value: -5 },
    big: { '!': 'uint32', value: 7 },
  })
  const stream = Buffer.concat([heartbeat, headerFrame(table), body, heartbeat])

  it.each([1, 3, 7, stream.length])(
    'leaves a header frame its bytes and amqplib its frames as they were, in chunks of %i bytes',
    (chunk) => {
      const frames = receive(stream, { chunk })
      const header = frames[1] as { fields: MessageProperties }

      expect(frames).toEqual(receive(stream, { capture: false }))
      expect(frames).toHaveLength(4)
      expect(typedHeadersOf(header.fields).headers).toEqual({
        retries: { type: 'I', value: -5 },
        big: { type: 'i', value: 7 },
      })
      expect(Object.getOwnPropertySymbols(header.fields).length).toBe(1)
      expect(JSON.stringify(header.fields)).toBe(
        JSON.stringify((receive(stream, { capture: false })[1] as typeof header).fields),
      )
    },
  )

  it('changes nothing on a connection that is not the amqplib one it knows', () => {
    const connection = { recvFrame: () => false }

    expect(captureRawProperties({ connection } as unknown as ChannelModel)).toBe(false)
    expect(connection.recvFrame()).toBe(false)
  })
})

describe('typedHeadersOf', () => {
  it('reads the types a producer wrote, which amqplib forgets', () => {
    const properties = received({
      float: { '!': 'float', value: 0.5 },
      int64: { '!': 'int64', value: 2n ** 60n + 1n },
    })

    expect(properties.headers).toEqual({ float: 0.5, int64: 2 ** 60 })
    expect(typedHeadersOf(properties).headers).toEqual({
      float: { type: 'f', value: 0.5 },
      int64: { type: 'l', value: 1_152_921_504_606_846_977n },
    })
  })

  it('types amqplib`s values the way amqplib would write them when no bytes were kept', () => {
    const properties = { headers: { count: -5, at: { '!': 'timestamp', value: 10 } } }

    expect(typedHeadersOf(properties as unknown as MessageProperties)).toEqual({
      headers: { count: { type: 'b', value: -5 }, at: { type: 'T', value: 10n } },
      decoded: properties.headers,
    })
  })

  it('keeps the bytes through keepRawProperties, which a spread of the properties loses', () => {
    const properties = received({ retries: { '!': 'int32', value: -5 } })

    expect(typedHeadersOf({ ...properties }).headers['retries']?.type).toBe('b')
    expect(
      typedHeadersOf(keepRawProperties(properties, { ...properties })).headers['retries'],
    ).toEqual({ type: 'I', value: -5 })
  })
})

describe('headerTableOf and attachHeaderTable', () => {
  it('carry a message`s header table whole to properties read from elsewhere', () => {
    const table = amqplibWrites({ retries: { '!': 'int32', value: -5 } })
    const kept = headerTableOf(received({ retries: { '!': 'int32', value: -5 } }))
    const elsewhere = { headers: { retries: -5 } } as unknown as MessageProperties

    expect(kept).toEqual(table)
    expect(typedHeadersOf(attachHeaderTable(elsewhere, table, elsewhere.headers))).toEqual({
      headers: { retries: { type: 'I', value: -5 } },
      decoded: { retries: -5 },
    })
  })
})

describe('safeHeadersOf', () => {
  it('keeps a header named __proto__ a header, where amqplib makes it the prototype', () => {
    const headers: Record<string, unknown> = { reason: 'rejected' }
    Object.defineProperty(headers, '__proto__', {
      value: { reason: 'forged', extra: 'injected' },
      enumerable: true,
    })
    const properties = received(headers)

    const amqplib = properties.headers as Record<string, unknown>
    expect(Object.keys(amqplib)).toEqual(['reason'])
    expect(amqplib['extra']).toBe('injected')
    const safe = safeHeadersOf(properties).headers
    expect(Object.keys(safe)).toEqual(['reason', '__proto__'])
    expect(safe['extra']).toBeUndefined()
    expect(safe['__proto__']).toEqual({ reason: 'forged', extra: 'injected' })
  })
})

describe('guessFieldTable', () => {
  it.each([
    ['a small integer', -5],
    ['a 16-bit integer', 300],
    ['a 32-bit integer', -70_000],
    ['a 64-bit integer', 2 ** 40],
    ['a fraction', 1.5],
    ['a string', 'text'],
    ['a boolean', false],
    ['null', null],
    ['a Buffer', Buffer.from([1, 2])],
    ['an array', [1, 'a', [true]]],
    ['a table', { nested: { deeper: 70_000 } }],
    ['a told type', { '!': 'uint32', value: 7 }],
    ['a timestamp as amqplib reads it', { '!': 'timestamp', value: 1_700_000_000 }],
    ['a decimal as amqplib reads it', { '!': 'decimal', value: { places: 1, digits: 5 } }],
  ])('types %s as amqplib writes it', (_, value) => {
    const written = decodeFieldTable(amqplibWrites({ value }))

    expect(written).toEqual({ ok: true, value: guessFieldTable({ value }) })
  })
})
