import { describe, expect, it } from 'vitest'
import type { MessageProperties } from 'amqplib'
import { toMessageView } from './message-view.js'
import { matches } from './search-text.js'

function message(content: string | Buffer, properties: Partial<MessageProperties> = {}) {
  return {
    content: Buffer.isBuffer(content) ? content : Buffer.from(content),
    properties: { headers: {}, ...properties } as MessageProperties,
  }
}

/** Headers the way amqplib decodes them: by assignment, so `__proto__` sets the prototype. */
function decodedLikeAmqplib(entries: [string, unknown][]): Record<string, unknown> {
  const headers: Record<string, unknown> = {}
  for (const [key, value] of entries) headers[key] = value
  return headers
}

/** Every view must survive the response's JSON.stringify. */
const serialised = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown

describe('toMessageView with values no date, number or JSON can hold', () => {
  it('shows a timestamp property of 1e16 as its raw value, with a note', () => {
    const view = toMessageView(message('x', { timestamp: 1e16 }))
    expect(view.properties['timestamp']).toBe(1e16)
    expect(view.notes).toEqual([
      'property timestamp 10000000000000000 is out of range: shown as its raw value',
    ])
  })

  it('keeps the dead-lettered time unknown for a warren-last-failed-at of 1e300, and says so', () => {
    const view = toMessageView(
      message('x', {
        headers: { 'warren-last-failed-at': 1e300, 'warren-dead-letter-reason': 'max-attempts' },
      }),
    )
    expect(view).toMatchObject({ reason: 'max-attempts', deadLetteredAt: null })
    expect(view.headers['warren-last-failed-at']).toBe(1e300)
    expect(view.notes).toEqual([
      'header warren-last-failed-at 1e+300 is out of range: shown as its raw value',
    ])
  })

  it('shows an AMQP timestamp header beyond any date as its raw seconds, with a note', () => {
    const view = toMessageView(
      message('x', { headers: { seen: [{ time: { '!': 'timestamp', value: 2 ** 64 } }] } }),
    )
    expect(view.headers['seen']).toEqual([{ time: '18446744073709551616' }])
    expect(view.notes).toEqual([
      'header seen[0].time timestamp 18446744073709551616 is out of range: shown as its raw value',
    ])
  })

  it('shows NaN and infinities as text, and 64-bit integers past 2^53 as their exact digits', () => {
    const view = toMessageView(
      message('x', {
        messageId: 'm-1',
        headers: {
          nan: NaN,
          inf: -Infinity,
          big: 2n ** 70n,
          long: 2 ** 60,
          fine: 42,
          bytes: Buffer.from('hi'),
          nothing: null,
          decimal: { '!': 'decimal', value: { places: 2, digits: 1234 } },
        },
      }),
    )
    expect(serialised(view.headers)).toEqual({
      nan: 'NaN',
      inf: '-Infinity',
      big: '1180591620717411303424',
      long: '1152921504606846976',
      fine: 42,
      bytes: { base64: 'aGk=' },
      nothing: null,
      decimal: 12.34,
    })
    expect(view.notes).toEqual([
      'header nan is NaN, which JSON cannot hold: shown as text',
      'header inf is -Infinity, which JSON cannot hold: shown as text',
      'header big 1180591620717411303424 is beyond 2^53, where JSON numbers round: shown as its digits',
      'header long 1152921504606846976 is beyond 2^53, where JSON numbers round: shown as its digits',
    ])
  })

  it('shows a header named __proto__ as sent, and reads no other header from it', () => {
    const headers = decodedLikeAmqplib([
      ['__proto__', { 'warren-dead-letter-reason': 'forged' }],
      ['warren-original-queue', 'orders'],
    ])
    const view = toMessageView(message('x', { headers }))
    expect(view.reason).toBeNull()
    expect(view.originalQueue).toBe('orders')
    expect(Object.keys(view.headers)).toEqual(['warren-original-queue', '__proto__'])
    expect(JSON.stringify(view.headers)).toBe(
      '{"warren-original-queue":"orders","__proto__":{"warren-dead-letter-reason":"forged"}}',
    )
    expect(view.notes).toEqual(['header __proto__ is shown as sent; it stands for no other header'])
  })

  it('cuts headers nested deeper than 32 levels, with a note', () => {
    let deep: unknown = 'bottom'
    for (let i = 0; i < 10_000; i += 1) deep = [deep]
    const view = toMessageView(message('x', { messageId: 'm-1', headers: { deep } }))
    expect(JSON.stringify(serialised(view.headers)).length).toBeLessThan(200)
    expect(view.notes).toContainEqual(
      expect.stringMatching(/^header deep(\[0\])+ nests deeper than 32 levels/),
    )
  })

  it('hashes a message with a bigint header like any other, with a stable id', () => {
    const view = toMessageView(message('body', { headers: { big: 1n } }))
    expect(view.id).toMatch(/^sha256:[0-9a-f]{32}$/)
    expect(toMessageView(message('body', { headers: { big: 1n } })).id).toBe(view.id)
    expect(toMessageView(message('body', { headers: { big: 2n } })).id).not.toBe(view.id)
    expect(view.headers['big']).toBe(1)
  })

  it('keeps twenty notes and counts the rest', () => {
    const view = toMessageView(message('x', { headers: { many: Array(50).fill(NaN) } }))
    expect(view.notes).toHaveLength(21)
    expect(view.notes?.at(-1)).toBe('and 30 more like these')
  })

  it('becomes a minimal view with a note when reading the message fails anyway', () => {
    const properties = { messageId: 'm-1', headers: {} } as MessageProperties
    Object.defineProperty(properties, 'appId', {
      enumerable: true,
      get: () => {
        throw new Error('unreadable')
      },
    })
    const view = toMessageView({ content: Buffer.from('body'), properties })
    expect(view).toMatchObject({
      id: 'm-1',
      messageId: 'm-1',
      payload: 'Ym9keQ==',
      payloadEncoding: 'base64',
      payloadBytes: 4,
      notes: ['the message could not be shown in full (Error: unreadable): its body is shown raw'],
    })
  })

  it('has no notes when nothing needed one', () => {
    const view = toMessageView(message('{"a":1}', { timestamp: 1_767_225_600 }))
    expect(view.notes).toBeUndefined()
    expect(view.properties['timestamp']).toBe('2026-01-01T00:00:00.000Z')
  })
})

describe('matches', () => {
  it('searches a decoded body as it is shown', () => {
    const content = Buffer.from('caf\u00e9 cr\u00e8me', 'latin1')
    const view = toMessageView(message(content, { contentType: 'text/plain; charset=iso-8859-1' }))
    expect(matches(view, content, 'crème')).toBe(true)
  })
})
