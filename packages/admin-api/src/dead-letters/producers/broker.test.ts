import { describe, expect, it } from 'vitest'
import { parseDeadLetter } from '../parse.js'

// Header sets as RabbitMQ wrote them (measured on 3.10.8 and 4.3.6).
const timestamp = (seconds: number) => ({ '!': 'timestamp' as const, value: seconds })

describe('dead letters of the broker (x-death)', () => {
  it('counts a rejection as one failed attempt, with queue, exchange, key and time of the death', () => {
    const facts = parseDeadLetter({
      'x-death': [
        {
          count: 1,
          reason: 'rejected',
          queue: 'w2',
          time: timestamp(1_796_161_112),
          exchange: 'orders',
          'routing-keys': ['orders.created.eu'],
        },
      ],
      'x-first-death-exchange': 'orders',
      'x-first-death-queue': 'w2',
      'x-first-death-reason': 'rejected',
    })
    expect(facts).toEqual({
      reason: 'rejected',
      originalQueue: 'w2',
      exchange: 'orders',
      routingKey: 'orders.created.eu',
      attempts: 1,
      error: null,
      deadLetteredAt: '2026-12-01T21:38:32.000Z',
      explanation: "A consumer of 'w2' rejected it without requeueing and recorded no error.",
    })
  })

  it('adds up the rejections of a retry loop, not the expiries between them', () => {
    const facts = parseDeadLetter({
      'x-death': [
        { count: 3, reason: 'rejected', queue: 'orders', time: timestamp(1_796_161_100) },
        { count: 3, reason: 'expired', queue: 'orders.retry.5s', time: timestamp(1_796_161_112) },
      ],
    })
    // 3.10 keeps an entry's first time: the expiry after it is the later death.
    expect(facts).toMatchObject({
      reason: 'rejected',
      originalQueue: 'orders',
      attempts: 3,
      deadLetteredAt: '2026-12-01T21:38:32.000Z',
    })
  })

  it.each([
    ['rejected', 1],
    ['expired', 0],
    ['maxlen', 0],
  ])('keeps the x-death reason %s and counts %i failed attempts', (reason, attempts) => {
    const facts = parseDeadLetter({ 'x-death': [{ reason, queue: 'q', count: 1 }] })
    expect(facts).toMatchObject({ reason, attempts })
  })

  it("counts a 4.3 quorum queue's failed deliveries up to its delivery limit", () => {
    const death = {
      count: 1,
      reason: 'delivery_limit',
      queue: 'work-quorum',
      time: timestamp(1_796_161_739),
      exchange: '',
      'routing-keys': ['work-quorum'],
    }
    const last = {
      'x-last-death-exchange': '',
      'x-last-death-queue': 'work-quorum',
      'x-last-death-reason': 'delivery_limit',
    }
    // Four deliveries under x-delivery-limit 3, read from a quorum DLQ: first as it arrived, then
    // after Warren handed it back with a requeueing nack, which counts no failure.
    const arrived = { ...last, 'x-death': [death], 'x-delivery-count': 4, 'x-acquired-count': 4 }
    const handedBack = { ...arrived, 'x-acquired-count': 1 }

    for (const headers of [arrived, handedBack]) {
      expect(parseDeadLetter(headers)).toMatchObject({
        reason: 'delivery_limit',
        originalQueue: 'work-quorum',
        attempts: 4,
        deadLetteredAt: '2026-12-01T21:48:59.000Z',
      })
    }
  })

  it('does not claim a count for a delivery-limit death on 3.10, which keeps none', () => {
    const death = {
      count: 1,
      reason: 'delivery_limit',
      queue: 'work',
      time: timestamp(1_796_161_111),
    }
    // In a classic DLQ nothing counts; in a quorum DLQ x-delivery-count is the DLQ's own returns.
    const classic = { 'x-death': [death], 'x-first-death-reason': 'delivery_limit' }
    const quorum = { ...classic, 'x-delivery-count': 2 }

    for (const headers of [classic, quorum]) {
      expect(parseDeadLetter(headers)).toMatchObject({
        reason: 'delivery_limit',
        originalQueue: 'work',
        attempts: null,
        deadLetteredAt: '2026-12-01T21:38:31.000Z',
      })
    }
  })

  it("counts a 4.3 quorum queue's returns and final rejection once, not twice", () => {
    // Rejected with requeue twice, then without: the last rejection counts on 4.3 too.
    const facts = parseDeadLetter({
      'x-acquired-count': 3,
      'x-death': [
        {
          count: 1,
          reason: 'rejected',
          queue: 'jobs',
          time: timestamp(1_796_162_356),
          exchange: '',
          'routing-keys': ['jobs'],
        },
      ],
      'x-delivery-count': 3,
      'x-first-death-exchange': '',
      'x-first-death-queue': 'jobs',
      'x-first-death-reason': 'rejected',
      'x-last-death-exchange': '',
      'x-last-death-queue': 'jobs',
      'x-last-death-reason': 'rejected',
    })
    expect(facts.attempts).toBe(3)
  })
})
