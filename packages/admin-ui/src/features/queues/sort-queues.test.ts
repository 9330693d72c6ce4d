import { describe, expect, it } from 'vitest'
import { queue } from '../../test-support/messages.js'
import { matchesSearch, sortQueues } from './sort-queues.js'
import { queueKey, topologyOf } from './topology-of.js'

const queues = [
  queue('orders', { messages: 5, consumers: 2, deadLetterQueue: 'orders.dlq' }),
  queue('orders.dlq', { role: 'dead-letter', messages: 40, consumers: 0 }),
  queue('emails', {
    vhost: 'mail',
    messages: 5,
    rates: { publish: 9, deliver: 1, ack: 1, redeliver: 0 },
  }),
  queue('orders.retry.5s', { role: 'retry', messages: 1, consumers: 0, retryOf: 'orders' }),
]
const names = (list: readonly { name: string }[]) => list.map((q) => q.name)

describe('sorting queues', () => {
  it('sorts by message count, largest first, ties by name', () => {
    expect(names(sortQueues(queues, { key: 'messages', descending: true }))).toEqual([
      'orders.dlq',
      'emails',
      'orders',
      'orders.retry.5s',
    ])
  })

  it('sorts by name within vhost, the default vhost first', () => {
    expect(names(sortQueues(queues, { key: 'name', descending: false }))).toEqual([
      'orders',
      'orders.dlq',
      'orders.retry.5s',
      'emails',
    ])
  })

  it('sorts by publish rate and by consumers', () => {
    expect(names(sortQueues(queues, { key: 'publish', descending: true }))[0]).toBe('emails')
    expect(names(sortQueues(queues, { key: 'consumers', descending: false }))).toEqual([
      'orders.dlq',
      'orders.retry.5s',
      'emails',
      'orders',
    ])
  })

  it('leaves the list it was given in its order', () => {
    sortQueues(queues, { key: 'messages', descending: true })
    expect(names(queues)).toEqual(['orders', 'orders.dlq', 'emails', 'orders.retry.5s'])
  })
})

describe('searching queues', () => {
  it('matches name, vhost, role and linked queues, ignoring case', () => {
    expect(names(queues.filter((q) => matchesSearch(q, 'MAIL')))).toEqual(['emails'])
    expect(names(queues.filter((q) => matchesSearch(q, 'dead-letter')))).toEqual(['orders.dlq'])
    // A work queue is found by the name of its DLQ.
    expect(names(queues.filter((q) => matchesSearch(q, 'orders.dlq')))).toEqual([
      'orders',
      'orders.dlq',
    ])
    expect(queues.every((q) => matchesSearch(q, '   '))).toBe(true)
  })
})

describe('the topology of a work queue', () => {
  it('links exchanges, the queue, its retry tiers and its DLQ with their counts', () => {
    const work = queue('orders', {
      messages: 5,
      deadLetterQueue: 'orders.dlq',
      retryQueues: [{ name: 'orders.retry.5s', delayMs: 5000 }],
      bindings: [{ exchange: 'shop', routingKey: 'order.placed' }],
    })
    const byName = new Map(queues.map((q) => [queueKey(q.vhost, q.name), q]))
    expect(topologyOf(work, byName)).toEqual({
      vhost: '/',
      bindings: [{ exchange: 'shop', routingKey: 'order.placed' }],
      queue: { name: 'orders', messages: 5 },
      tiers: [{ name: 'orders.retry.5s', delayMs: 5000, messages: 1 }],
      deadLetterQueue: { name: 'orders.dlq', messages: 40 },
    })
  })

  it('shows an unknown count for a linked queue the list does not hold', () => {
    const work = queue('billing', { deadLetterQueue: 'billing.dlq' })
    expect(topologyOf(work, new Map()).deadLetterQueue).toEqual({
      name: 'billing.dlq',
      messages: null,
    })
  })
})
