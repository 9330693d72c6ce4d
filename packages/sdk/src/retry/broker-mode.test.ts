import { describe, expect, it } from 'vitest'
import { defineTopology } from '../topology/define.js'
import { brokerFeatures, workQueueArguments } from '../topology/arguments.js'
import { planQueue } from '../topology/plan.js'
import { attemptOf, brokerRetryOf } from './broker-mode.js'

describe('retry mode broker, without a broker', () => {
  it("takes the broker's linear schedule from delays that follow it, and refuses others", () => {
    expect(brokerRetryOf([1000, 2000, 3000])).toEqual({ minMs: 1000, maxMs: 3000 })
    expect(brokerRetryOf([5000])).toEqual({ minMs: 5000, maxMs: 5000 })
    // The cap may fall between two steps.
    expect(brokerRetryOf([1000, 2000, 2500])).toEqual({ minMs: 1000, maxMs: 2500 })
    expect(brokerRetryOf([1000, 10_000, 60_000])).toMatch(/grow linearly/)
    const define =
      (retry: object, extra: object = {}) =>
      () =>
        defineTopology({ queues: { q: { retry: retry as never, ...extra } } })
    expect(define({ mode: 'broker', delays: ['1s', '10s', '1m'], maxAttempts: 4 })).toThrow(
      /queue 'q': retry mode 'broker' delays grow linearly/,
    )
    expect(define({ mode: 'broker', delays: ['1s'], maxAttempts: 4 }, { type: 'classic' })).toThrow(
      /needs a quorum queue/,
    )
    expect(
      define({ mode: 'broker', delays: ['1s'], maxAttempts: 8 }, { deliveryLimit: 5 }),
    ).toThrow(/deliveryLimit >= maxAttempts - 1/)
    expect(define({ mode: 'broker', delays: ['1s', '2s'], maxAttempts: 6 })).not.toThrow()
  })

  it('adds x-delayed-retry-* to the work queue only where the probe found the feature', () => {
    const plan = planQueue('q', { retry: { mode: 'broker', delays: ['1s', '2s'], maxAttempts: 4 } })
    expect(plan.retryTiers.map((t) => t.delayMs)).toEqual([1000, 2000, 2000])
    expect(workQueueArguments(plan, brokerFeatures('4.3.6', true))).toMatchObject({
      'x-delayed-retry-type': 'failed',
      'x-delayed-retry-min': 1000,
      'x-delayed-retry-max': 2000,
    })
    expect(workQueueArguments(plan, brokerFeatures('4.3.6', false))).not.toHaveProperty(
      'x-delayed-retry-type',
    )
    const tiers = planQueue('q', { retry: { delays: ['1s', '2s'], maxAttempts: 4 } })
    expect(workQueueArguments(tiers, brokerFeatures('4.3.6', true))).not.toHaveProperty(
      'x-delayed-retry-type',
    )
  })

  it("counts attempts from warren-attempt, plus the broker's x-delivery-count in broker mode only", () => {
    expect(attemptOf({}, true)).toBe(1)
    expect(attemptOf({ 'x-delivery-count': 2, 'x-acquired-count': 5 }, true)).toBe(3)
    expect(attemptOf({ 'x-delivery-count': 2 }, false)).toBe(1)
    expect(attemptOf({ 'warren-attempt': 2, 'x-delivery-count': 1 }, true)).toBe(4)
    expect(attemptOf({ 'warren-attempt': 'x' }, false)).toBe(1)
  })
})
