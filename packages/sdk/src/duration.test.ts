import { describe, expect, it } from 'vitest'
import { formatDuration, toMs } from './duration.js'
import { deadLetterQueueName, retryQueueName } from './topology/names.js'

describe('durations', () => {
  it('reads ms, s, m and h strings and plain milliseconds', () => {
    expect(['200ms', '1s', '10s', '1m', '1h', 250, '1.5s'].map((d) => toMs(d as never))).toEqual([
      200, 1000, 10_000, 60_000, 3_600_000, 250, 1500,
    ])
  })

  it('rejects what it cannot read', () => {
    expect(() => toMs('soon' as never)).toThrow(/invalid duration "soon"/)
    expect(() => toMs(-1)).toThrow(/invalid duration/)
  })

  it('names a tier by the largest exact unit, so equal delays share one queue', () => {
    expect([200, 1000, 1500, 60_000, 90_000, 3_600_000].map(formatDuration)).toEqual([
      '200ms',
      '1s',
      '1500ms',
      '1m',
      '90s',
      '1h',
    ])
    expect(retryQueueName('billing.charge', '1000ms')).toBe('billing.charge.retry.1s')
    expect(retryQueueName('billing.charge', '60s')).toBe('billing.charge.retry.1m')
    expect(deadLetterQueueName('billing.charge')).toBe('billing.charge.dlq')
  })
})
