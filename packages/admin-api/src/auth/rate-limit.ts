/** A fixed-window counter per key (client IP), e.g. 10 login attempts per minute. */
export interface RateLimiter {
  /** Counts one attempt; returns the seconds to wait when over the limit, else 0. */
  hit(key: string): number
}

export function createRateLimiter(
  limit: number,
  windowMs: number,
  now: () => number = Date.now,
): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>()
  return {
    hit(key) {
      const t = now()
      if (windows.size > 10_000) {
        for (const [k, w] of windows) if (t - w.start >= windowMs) windows.delete(k)
      }
      let window = windows.get(key)
      if (!window || t - window.start >= windowMs) {
        window = { start: t, count: 0 }
        windows.set(key, window)
      }
      window.count += 1
      return window.count > limit ? Math.ceil((window.start + windowMs - t) / 1000) : 0
    },
  }
}
