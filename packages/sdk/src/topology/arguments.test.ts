import { describe, expect, it } from 'vitest'
import { brokerFeatures, deadLetterQueueArguments, workQueueArguments } from './arguments.js'
import { planQueue } from './plan.js'

describe('queue arguments by broker version', () => {
  const plan = planQueue('orders.ship', { retry: { delays: ['1s'], maxAttempts: 5 } })

  it('turns the DLQ delivery limit off explicitly on RabbitMQ 4.x, where quorum queues default to 20', () => {
    expect(deadLetterQueueArguments(plan, brokerFeatures('4.1.2'))).toEqual({
      'x-queue-type': 'quorum',
      'x-delivery-limit': -1,
    })
    expect(deadLetterQueueArguments(plan, brokerFeatures('3.10.8'))).toEqual({
      'x-queue-type': 'quorum',
    })
  })

  it('reuses the last delay for retries beyond the list and lets extra arguments win', () => {
    expect(plan.retryTiers.map((t) => t.queue)).toEqual([
      'orders.ship.retry.1s',
      'orders.ship.retry.1s',
      'orders.ship.retry.1s',
      'orders.ship.retry.1s',
    ])
    const custom = planQueue('orders.ship', { deliveryLimit: 5, arguments: { 'x-max-length': 10 } })
    expect(workQueueArguments(custom)).toMatchObject({ 'x-delivery-limit': 5, 'x-max-length': 10 })
  })

  it('gives a classic queue no quorum-only arguments and no DLQ arguments when deadLetter is off', () => {
    expect(workQueueArguments(planQueue('a', { type: 'classic' }))).toEqual({
      'x-queue-type': 'classic',
      'x-dead-letter-exchange': '',
      'x-dead-letter-routing-key': 'a.dlq',
    })
    expect(workQueueArguments(planQueue('b', { deadLetter: false }))).toEqual({
      'x-queue-type': 'quorum',
      'x-delivery-limit': 20,
    })
  })
})
