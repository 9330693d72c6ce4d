// How fast a bulk operation goes: a token bucket for the rate the operator asked for, and a meter
// for the rate it actually reaches.

/** The clock and sleep the pacing uses, so a test can drive time itself. */
export interface Clock {
  now(): number
  /** Resolves after `ms`, or earlier when `signal` fires. */
  sleep(ms: number, signal: AbortSignal): Promise<void>
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) return resolve()
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        signal.removeEventListener('abort', done)
        resolve()
      }
      signal.addEventListener('abort', done, { once: true })
    }),
}

/**
 * Hands out `rate` tokens a second, from the first one on (no burst at the start: the operator's
 * rate holds from the first second, and so does the rate the console shows), and at most one
 * second's worth at once, so a paused or slow stretch does not turn into a burst afterwards. The
 * rate may change any time.
 */
export class TokenBucket {
  readonly #clock: Clock
  #rate: number | null
  #tokens = 0
  #last: number

  constructor(rate: number | null, clock: Clock) {
    this.#clock = clock
    this.#rate = rate
    this.#last = clock.now()
  }

  setRate(rate: number | null): void {
    this.#refill()
    this.#rate = rate
  }

  /**
   * Waits until `count` tokens are there and takes them; returns early (taking none) when
   * `signal` fires. Null rate: at once.
   */
  async take(count: number, signal: AbortSignal): Promise<boolean> {
    for (;;) {
      if (signal.aborted) return false
      this.#refill()
      const rate = this.#rate
      if (rate === null) return true
      if (this.#tokens >= count) {
        this.#tokens -= count
        return true
      }
      await this.#clock.sleep(Math.ceil(((count - this.#tokens) / rate) * 1000), signal)
    }
  }

  #refill(): void {
    const now = this.#clock.now()
    if (this.#rate !== null) {
      const cap = Math.max(this.#rate, 1)
      this.#tokens = Math.min(cap, this.#tokens + ((now - this.#last) / 1000) * this.#rate)
    }
    this.#last = now
  }
}

/** Messages handled per second over the last `windowMs`. */
export class RateMeter {
  readonly #clock: Clock
  readonly #windowMs: number
  readonly #samples: { at: number; count: number }[] = []

  constructor(clock: Clock, windowMs = 5000) {
    this.#clock = clock
    this.#windowMs = windowMs
  }

  /** `count` is the running total handled so far. */
  record(count: number): void {
    const at = this.#clock.now()
    this.#samples.push({ at, count })
    while (this.#samples.length > 2 && (this.#samples[0]?.at ?? at) < at - this.#windowMs) {
      this.#samples.shift()
    }
  }

  /** Null until two samples are some time apart. */
  rate(): number | null {
    const first = this.#samples[0]
    const last = this.#samples.at(-1)
    if (!first || !last || last.at - first.at < 200) return null
    return ((last.count - first.count) * 1000) / (last.at - first.at)
  }
}
