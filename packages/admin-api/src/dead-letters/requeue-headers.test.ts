import { describe, expect, it } from 'vitest'
import { parseDeadLetter } from './parse.js'
import { requeueHeaders } from './requeue-headers.js'

const timestamp = (seconds: number) => ({ '!': 'timestamp' as const, value: seconds })
const at = '2026-12-01T22:00:00.000Z'

/** The headers of the requeued copy, as the broker receives them (undefined ones left out). */
function requeued(headers: Record<string, unknown>) {
  const merged: Record<string, unknown> = { ...headers, ...requeueHeaders(headers, at) }
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined))
}

describe('requeueHeaders', () => {
  it('starts the SDK’s count again at 0 and keeps the attempts so far', () => {
    const headers = {
      'warren-dead-letter-reason': 'max-attempts',
      'warren-original-queue': 'billing.charge',
      'warren-attempt': 5,
      'warren-error-message': 'card declined',
    }
    expect(requeueHeaders(headers, at)).toEqual({
      'warren-attempt': 0,
      'warren-requeue-count': 1,
      'warren-requeued-at': at,
      'warren-previous-attempts': 5,
      'warren-dead-letter-reason': undefined,
      'x-death': undefined,
      'MT-Fault-RetryCount': undefined,
    })
    expect(requeued(headers)).toEqual({
      'warren-original-queue': 'billing.charge',
      'warren-attempt': 0,
      'warren-requeue-count': 1,
      'warren-requeued-at': at,
      'warren-previous-attempts': 5,
      'warren-error-message': 'card declined',
    })
  })

  it('counts both lives after a requeue and a second death, and shows the second death', () => {
    const first = {
      'x-death': [
        { count: 1, reason: 'rejected', queue: 'orders', time: timestamp(1_796_161_112) },
      ],
      'x-first-death-queue': 'orders',
      'x-first-death-reason': 'rejected',
    }
    // The broker's record of the second death, as on a message that carries none (3.10 and 4.3).
    const second = {
      ...requeued(first),
      'x-death': [
        { count: 1, reason: 'rejected', queue: 'orders', time: timestamp(1_796_162_401) },
      ],
    }

    expect(parseDeadLetter(second)).toMatchObject({
      reason: 'rejected',
      originalQueue: 'orders',
      attempts: 2,
      deadLetteredAt: '2026-12-01T22:00:01.000Z',
    })
    const again = requeued(second)
    expect(again).toMatchObject({ 'warren-requeue-count': 2, 'warren-previous-attempts': 2 })
  })

  it('gives a Rascal message fresh republishes, keeping where it came from', () => {
    const headers = {
      rascal: {
        originalQueue: 'charge',
        originalExchange: 'orders',
        originalRoutingKey: 'order.created',
        recovery: { charge: { republished: 3 } },
        error: { message: 'card declined', code: 'CARD_DECLINED' },
      },
      'x-death': [
        { count: 1, reason: 'rejected', queue: 'charge', time: timestamp(1_796_162_091) },
      ],
    }
    expect(requeued(headers)).toMatchObject({
      'warren-previous-attempts': 4,
      rascal: {
        originalQueue: 'charge',
        originalExchange: 'orders',
        originalRoutingKey: 'order.created',
        error: { message: 'card declined', code: 'CARD_DECLINED' },
      },
    })
    expect(requeued(headers)['rascal']).not.toHaveProperty('recovery')
    expect(requeued(headers)).not.toHaveProperty('x-death')
  })

  it('gives a Celery task fresh retries', () => {
    const headers = {
      lang: 'py',
      task: 'shop.charge',
      id: 'celery-task-1',
      retries: 2,
      'x-death': [{ count: 1, reason: 'rejected', queue: 'tasks', time: timestamp(1_796_162_110) }],
    }
    expect(requeued(headers)).toMatchObject({ retries: 0, 'warren-previous-attempts': 3 })
  })

  it('keeps what earlier requeues knew when this life’s count is unknown', () => {
    const headers = {
      'warren-previous-attempts': 2,
      'warren-requeue-count': 1,
      'x-death': [{ count: 1, reason: 'delivery_limit', queue: 'work', time: timestamp(1) }],
    }
    expect(requeueHeaders(headers, at)).not.toHaveProperty('warren-previous-attempts')
    expect(requeued(headers)).toMatchObject({
      'warren-previous-attempts': 2,
      'warren-requeue-count': 2,
    })
  })
})
