import { describe, expect, it } from 'vitest'
import { discoveredQueue as queue, topologyAt as topology } from '../test-support/queues.js'
import { baselineOf, evaluateRules, snapshotOf } from './rules.js'

const thresholds = { failureRatio: 0.01, backlog: 100, deadLetterAgeMs: 60_000, windowMs: 60_000 }

describe('alert rules', () => {
  it('raises backlog above the threshold and no-consumers for waiting messages', () => {
    const alerts = evaluateRules(
      topology(0, [queue('orders', { ready: 150, messages: 150, consumers: 0 })]),
      baselineOf(undefined),
      thresholds,
    )
    expect(alerts).toEqual([
      { rule: 'backlog', vhost: '/', queue: 'orders', value: 150, threshold: 100 },
      { rule: 'no-consumers', vhost: '/', queue: 'orders', value: 150, threshold: 0 },
    ])
  })

  it('raises dead-letter ratio, growth and age from the window baseline', () => {
    const before = topology(0, [
      queue('orders', { totals: { published: 0, delivered: 0, acked: 1000 }, feeds: [] }),
      queue('orders.dlq', { role: 'dead-letter', consumers: 0, feeds: ['orders'] }),
    ])
    const now = topology(60_000, [
      queue('orders', { totals: { published: 0, delivered: 0, acked: 2000 } }),
      queue('orders.dlq', {
        role: 'dead-letter',
        consumers: 0,
        feeds: ['orders'],
        messages: 50,
        ready: 50,
        oldestAgeMs: 120_000,
        totals: { published: 50, delivered: 0, acked: 0 },
      }),
    ])
    const alerts = evaluateRules(now, baselineOf(snapshotOf(before)), thresholds)
    expect(alerts).toEqual([
      {
        rule: 'dead-letter-age',
        vhost: '/',
        queue: 'orders.dlq',
        value: 120_000,
        threshold: 60_000,
      },
      { rule: 'dead-letter-growth', vhost: '/', queue: 'orders.dlq', value: 50, threshold: 0 },
      { rule: 'dead-letter-ratio', vhost: '/', queue: 'orders.dlq', value: 0.05, threshold: 0.01 },
    ])
  })

  it('counts the dead letters the broker routed itself, which only the DLQ depth shows', () => {
    const dlq = { role: 'dead-letter' as const, consumers: 0, feeds: ['orders'] }
    const before = topology(0, [queue('orders'), queue('orders.dlq', dlq)])
    const now = topology(60_000, [
      queue('orders', { totals: { published: 100, delivered: 100, acked: 95 } }),
      // Rejected or expired in `orders`: the broker moved them, no client published them.
      queue('orders.dlq', { ...dlq, messages: 5, ready: 5 }),
    ])
    expect(evaluateRules(now, baselineOf(snapshotOf(before)), thresholds)).toEqual([
      { rule: 'dead-letter-growth', vhost: '/', queue: 'orders.dlq', value: 5, threshold: 0 },
      {
        rule: 'dead-letter-ratio',
        vhost: '/',
        queue: 'orders.dlq',
        value: 0.0526,
        threshold: 0.01,
      },
    ])
  })

  it('stays quiet for a healthy topology', () => {
    const quiet = topology(0, [
      queue('orders', { ready: 5, messages: 5 }),
      queue('orders.dlq', { role: 'dead-letter', consumers: 0, feeds: ['orders'] }),
      queue('orders.retry.5s', { role: 'retry', ready: 500, consumers: 0 }),
    ])
    expect(evaluateRules(quiet, baselineOf(snapshotOf(quiet)), thresholds)).toEqual([])
  })
})
