import { describe, expect, it } from 'vitest'
import { backoffDelay } from './backoff.js'

const options = { initialDelayMs: 100, maxDelayMs: 10_000, factor: 2, jitter: 0.2 }

describe('reconnect backoff', () => {
  it('doubles from the initial delay up to the ceiling', () => {
    const middle = () => 0.5 // no jitter either way
    expect([1, 2, 3, 4, 8, 20].map((n) => backoffDelay(n, options, middle))).toEqual([
      100, 200, 400, 800, 10_000, 10_000,
    ])
  })

  it('spreads each delay by the jitter and never passes the ceiling', () => {
    expect(backoffDelay(1, options, () => 0)).toBe(80)
    expect(backoffDelay(1, options, () => 1)).toBe(120)
    expect(backoffDelay(30, options, () => 1)).toBe(10_000)
  })
})
