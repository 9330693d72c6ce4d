import { describe, expect, it } from 'vitest'
import type { MessageProperties } from 'amqplib'
import { messageKey } from './ids.js'
import { toMessageView } from './message-view.js'
import { parseDeadLetter } from './parse.js'

const timestamp = (seconds: number) => ({ '!': 'timestamp' as const, value: seconds })

function message(content: string | Buffer, properties: Partial<MessageProperties> = {}) {
  return {
    content: Buffer.isBuffer(content) ? content : Buffer.from(content),
    properties: { headers: {}, ...properties } as MessageProperties,
  }
}

describe('parseDeadLetter', () => {
  it('reads the reason, origin, attempts and error from Warren headers', () => {
    const facts = parseDeadLetter({
      'warren-dead-letter-reason': 'max-attempts',
      'warren-original-queue': 'billing.charge',
      'warren-original-exchange': 'billing',
      'warren-original-routing-key': 'charge.created',
      'warren-attempt': 5,
      'warren-error-name': 'CardDeclined',
      'warren-error-message': 'card declined',
      'warren-error-stack': 'CardDeclined: card declined\n    at charge (charge.ts:10:5)',
      'warren-last-failed-at': '2026-01-02T03:04:05.000Z',
    })
    expect(facts).toEqual({
      reason: 'max-attempts',
      originalQueue: 'billing.charge',
      exchange: 'billing',
      routingKey: 'charge.created',
      attempts: 5,
      error: {
        name: 'CardDeclined',
        message: 'card declined',
        stack: 'CardDeclined: card declined\n    at charge (charge.ts:10:5)',
      },
      deadLetteredAt: '2026-01-02T03:04:05.000Z',
      explanation: 'All 5 attempts failed; the last error is shown.',
    })
  })

  it('adds the failures of the SDK and of the broker: a queue without a DLQ rejected attempt 3', () => {
    // A retry copy the SDK wrote, back from its delay tier, then rejected by the SDK's consumer.
    const facts = parseDeadLetter({
      'warren-attempt': 2,
      'warren-original-queue': 'billing.charge',
      'warren-error-name': 'CardDeclined',
      'warren-error-message': 'card declined',
      'warren-last-failed-at': '2026-12-01T21:48:50.000Z',
      'x-death': [
        {
          count: 1,
          reason: 'rejected',
          queue: 'billing.charge',
          time: timestamp(1_796_161_739),
          exchange: '',
          'routing-keys': ['billing.charge'],
        },
        {
          count: 2,
          reason: 'expired',
          queue: 'warren.delay.1000ms',
          time: timestamp(1_796_161_738),
          exchange: 'warren.delay',
          'routing-keys': ['billing.charge'],
        },
      ],
    })
    expect(facts).toMatchObject({
      reason: 'rejected',
      originalQueue: 'billing.charge',
      attempts: 3,
      error: { name: 'CardDeclined', message: 'card declined' },
      deadLetteredAt: '2026-12-01T21:48:59.000Z',
    })
  })

  it('counts the attempts of earlier lives after a requeue, and shows the second death', () => {
    const facts = parseDeadLetter({
      'warren-original-queue': 'billing.charge',
      'warren-attempt': 0,
      'warren-previous-attempts': 5,
      'warren-requeue-count': 1,
      'warren-requeued-at': '2026-12-01T21:48:58.600Z',
      'warren-last-failed-at': '2026-12-01T20:00:00.000Z',
      'x-death': [
        { count: 1, reason: 'rejected', queue: 'billing.charge', time: timestamp(1_796_161_738) },
      ],
    })
    expect(facts).toMatchObject({
      reason: 'rejected',
      attempts: 6,
      deadLetteredAt: '2026-12-01T21:48:58.000Z',
    })
  })

  it('shows the latest death of all sources, not the first one found', () => {
    const facts = parseDeadLetter({
      'warren-last-failed-at': '2026-12-01T21:00:00.000Z',
      'MT-Fault-Timestamp': '2026-12-01T21:30:00.000Z',
      'x-death': [{ count: 1, reason: 'rejected', queue: 'q', time: timestamp(1_796_161_739) }],
    })
    expect(facts.deadLetteredAt).toBe('2026-12-01T21:48:59.000Z')
  })

  it('knows no time of death when none was recorded since the last requeue', () => {
    // Requeued after an SDK death, then forwarded by Rascal, which records no time.
    const facts = parseDeadLetter({
      'warren-last-failed-at': '2026-12-01T20:00:00.000Z',
      'warren-requeued-at': '2026-12-01T21:00:00.000Z',
      'warren-previous-attempts': 3,
      'warren-attempt': 0,
      rascal: { originalQueue: 'ship', recovery: { ship: { forwarded: 1 } } },
    })
    expect(facts).toMatchObject({ attempts: 4, deadLetteredAt: null, reason: 'forwarded' })
  })

  it('reads Spring AMQP x-exception-* and x-original-* headers', () => {
    const stack =
      'java.lang.IllegalStateException: stock missing\n\tat com.acme.Handler.handle(Handler.java:42)'
    const facts = parseDeadLetter({
      'x-exception-message': 'stock missing',
      'x-exception-stacktrace': stack,
      'x-original-exchange': 'inventory',
      'x-original-routingKey': 'stock.reserve',
      'x-original-queue': 'inventory.reserve',
    })
    expect(facts).toMatchObject({
      reason: 'exception',
      originalQueue: 'inventory.reserve',
      exchange: 'inventory',
      routingKey: 'stock.reserve',
      error: { name: 'java.lang.IllegalStateException', message: 'stock missing', stack },
    })
  })

  it('reads MassTransit MT-Fault-* headers, the queue from the input address', () => {
    const facts = parseDeadLetter({
      'MT-Reason': 'fault',
      'MT-Fault-ExceptionType': 'System.InvalidOperationException',
      'MT-Fault-Message': 'Order total is negative',
      'MT-Fault-StackTrace': '   at Shop.SubmitOrderConsumer.Consume()',
      'MT-Fault-InputAddress': 'rabbitmq://localhost/shop/submit-order?bind=true',
      'MT-Fault-Timestamp': '2026-03-04T05:06:07.123Z',
      'MT-Fault-RetryCount': 2,
    })
    expect(facts).toEqual({
      reason: 'fault',
      originalQueue: 'submit-order',
      exchange: null,
      routingKey: null,
      attempts: 3,
      error: {
        name: 'System.InvalidOperationException',
        message: 'Order total is negative',
        stack: '   at Shop.SubmitOrderConsumer.Consume()',
      },
      deadLetteredAt: '2026-03-04T05:06:07.123Z',
      explanation: null,
    })
  })

  it('reads NServiceBus exception headers, failed queue and time of failure', () => {
    const facts = parseDeadLetter({
      'NServiceBus.ExceptionInfo.ExceptionType': 'System.TimeoutException',
      'NServiceBus.ExceptionInfo.Message': 'SQL timeout',
      'NServiceBus.ExceptionInfo.StackTrace':
        'System.TimeoutException: SQL timeout\n   at Sales.Handler',
      'NServiceBus.FailedQ': 'Sales@machine01',
      'NServiceBus.TimeOfFailure': '2026-05-06 07:08:09:123456 Z',
    })
    expect(facts).toMatchObject({
      reason: 'failed',
      originalQueue: 'Sales',
      error: { name: 'System.TimeoutException', message: 'SQL timeout' },
      deadLetteredAt: '2026-05-06T07:08:09.123Z',
    })
  })

  it('reports nothing for a message without any known header', () => {
    expect(parseDeadLetter({ 'x-custom': 'value' })).toEqual({
      reason: null,
      originalQueue: null,
      exchange: null,
      routingKey: null,
      attempts: null,
      error: null,
      deadLetteredAt: null,
      explanation: null,
    })
  })
})

describe('toMessageView', () => {
  it('parses a JSON body and shows its size in bytes', () => {
    const view = toMessageView(
      message('{"orderId":"ü1"}', { contentType: 'application/json', messageId: 'm-1' }),
    )
    expect(view).toMatchObject({
      id: 'm-1',
      messageId: 'm-1',
      payload: { orderId: 'ü1' },
      payloadEncoding: 'json',
      payloadBytes: 17,
    })
  })

  it('shows UTF-8 text as text and other bytes as base64', () => {
    expect(toMessageView(message('plain words')).payload).toBe('plain words')
    const binary = toMessageView(message(Buffer.from([0xff, 0xfe, 0x00, 0x01])))
    expect(binary).toMatchObject({ payload: '//4AAQ==', payloadEncoding: 'base64' })
  })

  it('shows an encrypted payload as encrypted, without its bytes', () => {
    const byType = toMessageView(
      message('c2VjcmV0', { contentType: 'application/vnd.warren.encrypted' }),
    )
    const byHeader = toMessageView(
      message('c2VjcmV0', { headers: { 'warren-encryption': 'aes-256-gcm' } }),
    )
    for (const view of [byType, byHeader]) {
      expect(view).toMatchObject({ payload: null, payloadEncoding: 'encrypted', payloadBytes: 8 })
    }
  })

  it('turns AMQP timestamps and byte arrays in headers into JSON', () => {
    const view = toMessageView(
      message('x', {
        timestamp: 1_767_225_600,
        headers: { 'warren-seen': [{ time: timestamp(1_767_225_600) }], raw: Buffer.from('hi') },
      }),
    )
    expect(view.properties['timestamp']).toBe('2026-01-01T00:00:00.000Z')
    expect(view.headers).toEqual({
      'warren-seen': [{ time: '2026-01-01T00:00:00.000Z' }],
      raw: { base64: 'aGk=' },
    })
  })
})

describe('messageKey', () => {
  it('is the same for a message redelivered with a new x-delivery-count', () => {
    const first = message('body', { headers: { a: 1 } })
    const redelivered = message('body', { headers: { a: 1, 'x-delivery-count': 4 } })
    expect(messageKey(first)).toMatch(/^sha256:[0-9a-f]{32}$/)
    expect(messageKey(redelivered)).toBe(messageKey(first))
  })

  it('differs for different bodies or headers', () => {
    const key = messageKey(message('body', { headers: { a: 1 } }))
    expect(messageKey(message('other', { headers: { a: 1 } }))).not.toBe(key)
    expect(messageKey(message('body', { headers: { a: 2 } }))).not.toBe(key)
  })
})
