import { describe, expect, it } from 'vitest'
import { queue } from '../../test-support/messages.js'
import { countsByName, topologyOf } from './topology-of.js'

describe('the topology of a work queue', () => {
  it('links exchanges, the queue, its retry tiers and its DLQ with the counts the server sent', () => {
    const work = queue('orders', {
      messages: 5,
      deadLetterQueue: 'orders.dlq',
      retryQueues: [{ name: 'orders.retry.5s', delayMs: 5000 }],
      bindings: [{ exchange: 'shop', routingKey: 'order.placed' }],
    })
    const related = [
      { vhost: '/', name: 'orders.dlq', messages: 40 },
      { vhost: '/', name: 'orders.retry.5s', messages: 1 },
      // The same names in another vhost are other queues.
      { vhost: 'other', name: 'orders.dlq', messages: 7 },
    ]
    expect(topologyOf(work, countsByName([work], related))).toEqual({
      vhost: '/',
      bindings: [{ exchange: 'shop', routingKey: 'order.placed' }],
      queue: { name: 'orders', messages: 5 },
      tiers: [{ name: 'orders.retry.5s', delayMs: 5000, messages: 1 }],
      deadLetterQueue: { name: 'orders.dlq', messages: 40 },
    })
  })

  it('shows an unknown count for a linked queue the server did not count', () => {
    const work = queue('billing', { deadLetterQueue: 'billing.dlq' })
    expect(topologyOf(work, countsByName()).deadLetterQueue).toEqual({
      name: 'billing.dlq',
      messages: null,
    })
  })
})
