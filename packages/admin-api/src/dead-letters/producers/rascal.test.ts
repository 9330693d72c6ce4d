import { describe, expect, it } from 'vitest'
import { parseDeadLetter } from '../parse.js'

// Header sets as Rascal 21.0.1 wrote them on RabbitMQ 3.10, for a message published to the topic
// exchange `orders`: its subscription republished, then nacked or forwarded.
const timestamp = (seconds: number) => ({ '!': 'timestamp' as const, value: seconds })

const vhost = 'exp-rascal-1796162090814'

describe('dead letters of Rascal', () => {
  it('reads a message Rascal republished 3 times and then nacked to its queue’s DLX', () => {
    const facts = parseDeadLetter({
      rascal: {
        originalQueue: 'charge',
        originalVhost: vhost,
        redeliveries: 0,
        recovery: { charge: { republished: 3 } },
        originalExchange: 'orders',
        originalRoutingKey: 'order.created',
        error: { message: 'card declined', code: 'CARD_DECLINED' },
        restoreRoutingHeaders: true,
      },
      'x-death': [
        {
          count: 1,
          reason: 'rejected',
          queue: 'charge',
          time: timestamp(1_796_162_091),
          exchange: '',
          'routing-keys': ['charge'],
        },
      ],
      'x-first-death-exchange': '',
      'x-first-death-queue': 'charge',
      'x-first-death-reason': 'rejected',
    })
    expect(facts).toEqual({
      reason: 'rejected',
      originalQueue: 'charge',
      exchange: 'orders',
      routingKey: 'order.created',
      attempts: 4,
      error: { name: 'CARD_DECLINED', message: 'card declined', stack: null },
      deadLetteredAt: '2026-12-01T21:54:51.000Z',
      explanation: null,
    })
  })

  it('reads a message Rascal republished twice and then forwarded, which records no time', () => {
    const facts = parseDeadLetter({
      CC: ['ship.order.shipped'],
      rascal: {
        recovery: { ship: { forwarded: 1, republished: 2 } },
        error: { message: 'no courier', code: 'NO_COURIER' },
        originalQueue: 'ship',
        originalVhost: vhost,
        redeliveries: 0,
        originalExchange: 'orders',
        originalRoutingKey: 'order.shipped',
        restoreRoutingHeaders: true,
      },
    })
    expect(facts).toEqual({
      reason: 'forwarded',
      originalQueue: 'ship',
      exchange: 'orders',
      routingKey: 'order.shipped',
      attempts: 3,
      error: { name: 'NO_COURIER', message: 'no courier', stack: null },
      deadLetteredAt: null,
      explanation: null,
    })
  })

  it('counts one attempt for a copy republished with immediateNack and nacked on arrival', () => {
    const facts = parseDeadLetter({
      rascal: {
        originalQueue: 'charge',
        originalVhost: vhost,
        redeliveries: 0,
        recovery: { charge: { immediateNack: true, xDeath: { count: 0, time: { value: 0 } } } },
        originalExchange: 'orders',
        originalRoutingKey: 'order.created',
        error: { message: 'card declined', code: 'CARD_DECLINED' },
        restoreRoutingHeaders: true,
      },
      'x-death': [
        {
          count: 1,
          reason: 'rejected',
          queue: 'charge',
          time: timestamp(1_796_162_308),
          exchange: '',
          'routing-keys': ['charge'],
        },
      ],
    })
    expect(facts).toMatchObject({ reason: 'rejected', originalQueue: 'charge', attempts: 1 })
  })
})
