import { describe, expect, it } from 'vitest'
import { RateMeter, TokenBucket, type Clock } from './pacing.js'

/** Time that passes only when somebody sleeps. */
function fakeClock() {
  let now = 0
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      now += ms
    },
  }
  return clock
}

const never = new AbortController().signal

describe('TokenBucket', () => {
  it('hands out the rate from the first token on, with no burst at the start', async () => {
    const clock = fakeClock()
    const bucket = new TokenBucket(100, clock)
    for (let i = 0; i < 30; i += 1) await bucket.take(10, never)
    // 300 at 100/s.
    expect(clock.now()).toBe(3000)
  })

  it('keeps at most one second of tokens after a pause', async () => {
    const clock = fakeClock()
    const bucket = new TokenBucket(100, clock)
    await clock.sleep(10_000, never)
    for (let i = 0; i < 30; i += 1) await bucket.take(10, never)
    // 100 saved up during the pause, 200 more at 100/s.
    expect(clock.now()).toBe(12_000)
  })

  it('follows a rate changed while it runs', async () => {
    const clock = fakeClock()
    const bucket = new TokenBucket(10, clock)
    await bucket.take(10, never)
    bucket.setRate(1000)
    await bucket.take(500, never)
    expect(clock.now()).toBe(1500)
  })

  it('gives nothing and returns at once when woken', async () => {
    const bucket = new TokenBucket(1, fakeClock())
    const wake = new AbortController()
    wake.abort()
    expect(await bucket.take(100, wake.signal)).toBe(false)
  })

  it('does not wait without a rate', async () => {
    const clock = fakeClock()
    expect(await new TokenBucket(null, clock).take(1_000_000, never)).toBe(true)
    expect(clock.now()).toBe(0)
  })
})

describe('RateMeter', () => {
  it('measures messages per second over its window', async () => {
    const clock = fakeClock()
    const meter = new RateMeter(clock, 5000)
    expect(meter.rate()).toBeNull()
    for (let done = 0; done <= 2000; done += 100) {
      meter.record(done)
      await clock.sleep(200, never)
    }
    expect(meter.rate()).toBe(500)
  })
})
