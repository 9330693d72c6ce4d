import { deflateRawSync, deflateSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import type { MessageProperties } from 'amqplib'
import { toMessageView } from './message-view.js'
import { MAX_PAYLOAD_VIEW } from './payload.js'

function view(content: string | Buffer, properties: Partial<MessageProperties> = {}) {
  return toMessageView({
    content: Buffer.isBuffer(content) ? content : Buffer.from(content),
    properties: { headers: {}, ...properties } as MessageProperties,
  })
}

const latin1 = Buffer.from('caf\u00e9 cr\u00e8me br\u00fbl\u00e9e', 'latin1')

describe('a payload in the charset its content-type declares', () => {
  it.each([
    ['text/plain; charset=iso-8859-1', 'windows-1252'],
    ['text/plain; charset="windows-1252"', 'windows-1252'],
    ['text/plain;charset=Latin1', 'windows-1252'],
  ])('is decoded for %s, with the raw bytes beside it', (contentType, charset) => {
    expect(view(latin1, { contentType })).toMatchObject({
      payload: 'café crème brûlée',
      payloadEncoding: 'text',
      rawPayload: {
        base64: latin1.toString('base64'),
        truncated: false,
        decodedWith: [`charset ${charset}`],
      },
    })
  })

  it('is decoded from UTF-16 of either byte order, and parsed when it is JSON', () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{"a":"é"}', 'utf16le')])
    const be = Buffer.from(le.subarray(2)).swap16()
    const bom = Buffer.concat([Buffer.from([0xfe, 0xff]), be])
    const type = (charset: string) => ({ contentType: `application/json; charset=${charset}` })
    expect(view(le, type('utf-16'))).toMatchObject({ payload: { a: 'é' }, payloadEncoding: 'json' })
    expect(view(be, type('utf-16be')).payload).toEqual({ a: 'é' })
    expect(view(bom, type('utf-16')).payload).toEqual({ a: 'é' })
  })

  it('carries no raw bytes for UTF-8, nor for ASCII in a single-byte charset', () => {
    expect(view('plain', { contentType: 'text/plain; charset=utf-8' }).rawPayload).toBeUndefined()
    expect(view('plain', { contentType: 'text/plain; charset=iso-8859-1' })).toMatchObject({
      payload: 'plain',
    })
    expect(view('plain', { contentType: 'text/plain; charset=iso-8859-1' }).rawPayload).toBe(
      undefined,
    )
  })

  it('is tried as UTF-8 when the charset is unknown, with a note', () => {
    expect(view('héllo', { contentType: 'text/plain; charset=x-klingon' })).toMatchObject({
      payload: 'héllo',
      notes: ["charset 'x-klingon' is unknown: shown as UTF-8 if it is, else as base64"],
    })
  })

  it('is shown as base64 with a note when its bytes are not in that charset', () => {
    const odd = Buffer.from([0x41, 0x00, 0x00, 0xd8])
    expect(view(odd, { contentType: 'text/plain; charset=utf-16le' })).toMatchObject({
      payload: odd.toString('base64'),
      payloadEncoding: 'base64',
      notes: ['body is not valid utf-16le: shown as base64'],
    })
  })
})

describe('a compressed payload', () => {
  const json = Buffer.from('{"order":42,"note":"crème"}')

  it.each([
    ['gzip', gzipSync(json)],
    ['x-gzip', gzipSync(json)],
    ['deflate', deflateSync(json)],
    ['deflate', deflateRawSync(json)],
  ])('is decompressed for content-encoding %s, with the raw bytes beside it', (coding, bytes) => {
    expect(view(bytes, { contentType: 'application/json', contentEncoding: coding })).toMatchObject(
      {
        payload: { order: 42, note: 'crème' },
        payloadEncoding: 'json',
        payloadBytes: bytes.length,
        rawPayload: { base64: bytes.toString('base64'), truncated: false, decodedWith: [coding] },
      },
    )
  })

  it('is decompressed, then decoded from its charset', () => {
    const bytes = gzipSync(latin1)
    expect(
      view(bytes, { contentType: 'text/plain; charset=iso-8859-1', contentEncoding: 'gzip' }),
    ).toMatchObject({
      payload: 'café crème brûlée',
      rawPayload: { decodedWith: ['gzip', 'charset windows-1252'] },
    })
  })

  it('shows only the first 64 KiB of a 1 GiB zip bomb, and fast', () => {
    // 1,024 gzip members of 1 MiB each: one valid gzip stream of 1 GiB in about 1 MB.
    const bomb = Buffer.concat(Array(1024).fill(gzipSync(Buffer.alloc(1024 * 1024, 'a'))))
    const started = performance.now()
    const shown = view(bomb, { contentEncoding: 'gzip' })
    const elapsed = performance.now() - started
    expect(shown.payloadEncoding).toBe('text')
    expect(shown.payloadTruncated).toBe(true)
    expect((shown.payload as string).length).toBeLessThanOrEqual(MAX_PAYLOAD_VIEW)
    expect((shown.payload as string).length).toBeGreaterThan(MAX_PAYLOAD_VIEW / 2)
    expect(shown.payload).toMatch(/^a+$/)
    expect(elapsed).toBeLessThan(2000)
  })

  it('is shown as base64 with a note when it does not decompress', () => {
    expect(view('not gzip', { contentEncoding: 'gzip' })).toMatchObject({
      payload: Buffer.from('not gzip').toString('base64'),
      payloadEncoding: 'base64',
      notes: ['gzip body could not be decompressed (incorrect header check): shown as base64'],
    })
    expect(view('brotli?', { contentEncoding: 'br' })).toMatchObject({
      payloadEncoding: 'base64',
      notes: ["content-encoding 'br' is not one the console decodes: shown as base64"],
    })
  })
})

describe('a payload JSON could not show as it is', () => {
  it('is shown as text with a note when it nests 30,000 levels deep', () => {
    const deep = '['.repeat(30_000) + ']'.repeat(30_000)
    const shown = view(deep, { contentType: 'application/json' })
    expect(shown).toMatchObject({
      payload: deep,
      payloadEncoding: 'text',
      notes: ['body nests deeper than 100 levels: shown as text'],
    })
    expect(() => JSON.stringify(shown)).not.toThrow()
  })

  it('is shown as text when it opens 30,000 arrays and never closes them', () => {
    const open = '['.repeat(30_000)
    expect(view(open)).toMatchObject({ payload: open, payloadEncoding: 'text' })
  })

  it.each([
    ['a 64-bit id', '{"id":12345678901234567890}', '12345678901234567890'],
    ['a number beyond a double', '[1e400]', '1e400'],
    ['a fraction with 20 digits', '[0.12345678901234567891]', '0.12345678901234567891'],
  ])('is shown as text with a note when it holds %s', (_, text, literal) => {
    expect(view(text, { contentType: 'application/json' })).toMatchObject({
      payload: text,
      payloadEncoding: 'text',
      notes: [
        `body holds the number ${literal}, which JavaScript cannot keep exactly: shown as text`,
      ],
    })
  })

  it('is parsed when its numbers and strings only look odd', () => {
    const text = '{"big":10000000000000000000,"s":"[[[[ 12345678901234567890 \\" ]","f":0.1}'
    expect(view(text).payload).toEqual({ big: 1e19, s: '[[[[ 12345678901234567890 " ]', f: 0.1 })
  })
})

describe('a large payload', () => {
  it('shows the first 64 KiB of a 5 MB body, marked truncated', () => {
    const shown = view(Buffer.alloc(5 * 1024 * 1024, 'x'))
    expect(shown).toMatchObject({ payloadTruncated: true, payloadBytes: 5 * 1024 * 1024 })
    expect(shown.payload).toBe('x'.repeat(MAX_PAYLOAD_VIEW))
  })

  it('caps the raw bytes of a large decoded body too', () => {
    const big = Buffer.alloc(MAX_PAYLOAD_VIEW * 2, 0xe9)
    const shown = view(big, { contentType: 'text/plain; charset=iso-8859-1' })
    expect(shown).toMatchObject({ payloadTruncated: true, rawPayload: { truncated: true } })
    expect(Buffer.from(shown.rawPayload?.base64 ?? '', 'base64')).toHaveLength(MAX_PAYLOAD_VIEW)
  })
})
