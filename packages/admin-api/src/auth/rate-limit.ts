/**
 * Failed attempts per key (client address) in a fixed window, e.g. 10 failed logins a minute.
 * Only failures count, so a console that logs in often is never locked out; once the limit is
 * reached every attempt waits, even with the right token, so guessing gains nothing.
 */
export interface RateLimiter {
  /** Seconds to wait before the key may try again; 0 when it may try now. */
  blocked(key: string): number
  /** Counts one failed attempt. */
  fail(key: string): void
}

export function createRateLimiter(
  limit: number,
  windowMs: number,
  now: () => number = Date.now,
): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>()
  const current = (key: string) => {
    const window = windows.get(key)
    if (window && now() - window.start < windowMs) return window
    windows.delete(key)
    return undefined
  }
  return {
    blocked(key) {
      const window = current(key)
      if (!window || window.count < limit) return 0
      return Math.max(1, Math.ceil((window.start + windowMs - now()) / 1000))
    },
    fail(key) {
      if (windows.size > 10_000) {
        for (const [k, w] of windows) if (now() - w.start >= windowMs) windows.delete(k)
      }
      const window = current(key)
      if (window) window.count += 1
      else windows.set(key, { start: now(), count: 1 })
    },
  }
}
