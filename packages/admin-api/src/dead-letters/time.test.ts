import { describe, expect, it } from 'vitest'
import { time } from './time.js'

describe('time', () => {
  it('reads AMQP timestamps (seconds), epoch milliseconds and date strings as ISO 8601', () => {
    expect(time({ '!': 'timestamp', value: 1_767_225_600 })).toBe('2026-01-01T00:00:00.000Z')
    expect(time(1_767_225_600)).toBe('2026-01-01T00:00:00.000Z')
    expect(time(1_767_225_600_000)).toBe('2026-01-01T00:00:00.000Z')
    expect(time('2026-01-01T01:00:00+01:00')).toBe('2026-01-01T00:00:00.000Z')
    expect(time(Buffer.from('2026-01-01T00:00:00Z'))).toBe('2026-01-01T00:00:00.000Z')
  })

  it.each([
    ['a timestamp of 1e16', 1e16],
    ['a double of 1e300', 1e300],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['an AMQP timestamp of 2^64 seconds', { '!': 'timestamp', value: 2 ** 64 }],
    ['a date string of the year 300000', '+300000-01-01T00:00:00Z'],
    ['words', 'yesterday'],
    ['a table', { at: 1 }],
  ])('is undefined, never a RangeError, for %s', (_, value) => {
    expect(time(value)).toBeUndefined()
  })
})
