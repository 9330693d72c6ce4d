import type { ConsumeMessage } from 'amqplib'
import { describe, expect, it } from 'vitest'
import { HEADERS } from '../headers.js'
import { failureHeaders, MAX_STACK_BYTES, truncateUtf8 } from './failure-headers.js'

function delivery(headers: Record<string, unknown>): ConsumeMessage {
  return {
    content: Buffer.from('{}'),
    fields: {
      deliveryTag: 1,
      redelivered: false,
      exchange: '',
      routingKey: 'q.retry.1s',
      consumerTag: 't',
    },
    properties: { headers } as ConsumeMessage['properties'],
  }
}

describe('failure headers', () => {
  it('truncates the error stack to 8 KiB without splitting a character', () => {
    const error = new Error('boom')
    error.stack = `Error: boom\n${'ü'.repeat(10_000)}`
    const headers = failureHeaders({
      delivery: delivery({}),
      queue: 'q',
      attempt: 1,
      error,
      consumer: 'svc@host:1',
    })
    const stack = headers[HEADERS.errorStack] as string
    expect(Buffer.byteLength(stack)).toBeLessThanOrEqual(MAX_STACK_BYTES)
    expect(Buffer.byteLength(stack)).toBeGreaterThan(MAX_STACK_BYTES - 2)
    expect(stack).not.toContain('\uFFFD')
    expect(truncateUtf8('short', 8)).toBe('short')
  })

  it('keeps the first failure time and original route across retries and drops broker headers', () => {
    const headers = failureHeaders({
      delivery: delivery({
        [HEADERS.attempt]: 1,
        [HEADERS.firstFailedAt]: '2026-01-01T00:00:00.000Z',
        [HEADERS.originalExchange]: 'orders',
        [HEADERS.originalRoutingKey]: 'order.created',
        'x-death': [{ queue: 'q.retry.1s' }],
        tenant: 'acme',
      }),
      queue: 'q',
      attempt: 2,
      error: new TypeError('bad'),
      consumer: 'svc@host:1',
      reason: 'max-attempts',
      now: new Date('2026-01-01T00:00:05.000Z'),
    })
    expect(headers).toEqual({
      tenant: 'acme',
      [HEADERS.attempt]: 2,
      [HEADERS.originalQueue]: 'q',
      [HEADERS.originalExchange]: 'orders',
      [HEADERS.originalRoutingKey]: 'order.created',
      [HEADERS.errorName]: 'TypeError',
      [HEADERS.errorMessage]: 'bad',
      [HEADERS.errorStack]: expect.stringContaining('TypeError: bad'),
      [HEADERS.firstFailedAt]: '2026-01-01T00:00:00.000Z',
      [HEADERS.lastFailedAt]: '2026-01-01T00:00:05.000Z',
      [HEADERS.consumer]: 'svc@host:1',
      [HEADERS.deadLetterReason]: 'max-attempts',
    })
  })
})
