import { describe, expect, it } from 'vitest'
import { HEADERS } from '@warren/sdk/protocol'
import { deadLetter } from '../../test-support/messages.js'
import { payloadDisplay } from './payload-display.js'

describe('payloadDisplay', () => {
  it('pretty-prints a JSON payload and says what it is', () => {
    const message = deadLetter('a', { payload: { n: 1 }, payloadBytes: 7 })
    expect(payloadDisplay(message, false)).toEqual({
      text: '{\n  "n": 1\n}',
      summary: 'json, 7 B',
      decodedWith: null,
    })
  })

  it('shows text exactly as sent, even when it looks like JSON', () => {
    const text = '{"id":12345678901234567890}'
    const message = deadLetter('a', { payload: text, payloadEncoding: 'text', payloadBytes: 27 })
    expect(payloadDisplay(message, false).text).toBe(text)
  })

  it('shows 30,000 nested brackets sent as text without parsing them', () => {
    const deep = '['.repeat(30_000) + ']'.repeat(30_000)
    const message = deadLetter('a', { payload: deep, payloadEncoding: 'text' })
    expect(payloadDisplay(message, false).text).toBe(deep)
  })

  it('shows a decoded payload, and with raw the bytes as they arrived', () => {
    const message = deadLetter('a', {
      payload: 'café',
      payloadEncoding: 'text',
      payloadBytes: 24,
      rawPayload: {
        base64: 'H4sIAAAAAAAAA0tOTHsJABuws6sEAAAA',
        truncated: false,
        decodedWith: ['gzip', 'charset windows-1252'],
      },
    })
    expect(payloadDisplay(message, false)).toEqual({
      text: 'café',
      summary: 'text, 24 B',
      decodedWith: 'gzip, then charset windows-1252',
    })
    expect(payloadDisplay(message, true)).toEqual({
      text: 'H4sIAAAAAAAAA0tOTHsJABuws6sEAAAA',
      summary: 'raw bytes (base64), 24 B',
      decodedWith: 'gzip, then charset windows-1252',
    })
  })

  it('says when the raw bytes are only the beginning of the body', () => {
    const message = deadLetter('a', {
      payload: 'x',
      payloadEncoding: 'text',
      payloadTruncated: true,
      payloadBytes: 3 * 1024 * 1024,
      rawPayload: { base64: 'eA==', truncated: true, decodedWith: ['deflate'] },
    })
    expect(payloadDisplay(message, false).summary).toBe('text, 3 MiB, truncated')
    expect(payloadDisplay(message, true).summary).toBe('raw bytes (base64), first 64 KiB of 3 MiB')
  })

  it('ignores raw for a payload shown as it arrived, and never shows an encrypted one', () => {
    const plain = deadLetter('a', { payload: 'aGk=', payloadEncoding: 'base64', payloadBytes: 2 })
    const sealed = deadLetter('b', { payload: null, payloadEncoding: 'encrypted' })
    expect(payloadDisplay(plain, true)).toMatchObject({ text: 'aGk=', decodedWith: null })
    expect(payloadDisplay(sealed, false).text).toBe('(encrypted: not shown)')
  })

  it('names the algorithm and key id an SDK-sealed payload carries, and not its bytes', () => {
    const sealed = deadLetter('c', {
      payload: null,
      payloadEncoding: 'encrypted',
      payloadBytes: 64,
      properties: { contentType: 'application/vnd.warren.encrypted+json' },
      headers: {
        [HEADERS.encryption]: 'aes-256-gcm',
        [HEADERS.encryptionKeyId]: 'k1',
        [HEADERS.encryptedContentType]: 'application/json',
      },
    })
    expect(payloadDisplay(sealed, false)).toEqual({
      text: '(encrypted with aes-256-gcm, key k1: not shown)',
      summary: 'encrypted, 64 B',
      decodedWith: null,
    })
  })
})
