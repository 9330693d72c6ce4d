// One place that turns the many ways a message states a time into ISO 8601. A header is written by
// whoever published the message, so any value may arrive; `new Date(x).toISOString()` throws a
// RangeError outside ±8.64e15 ms, and one such header must not fail a whole page of messages.

/** Largest distance from the epoch a JavaScript Date can hold, in milliseconds. */
const MAX_DATE_MS = 8.64e15

/**
 * ISO 8601 from an AMQP timestamp (seconds), epoch milliseconds or a date string; `undefined`
 * when the value is not a time or lies outside what a Date can hold. Never throws.
 */
export function time(value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null && '!' in value && 'value' in value) {
    const { value: seconds } = value as { value: unknown }
    return typeof seconds === 'number' ? iso(seconds * 1000) : undefined
  }
  // Small numbers are AMQP seconds, larger ones epoch milliseconds (1e11 s is the year 5138).
  if (typeof value === 'number') return iso(Math.abs(value) < 1e11 ? value * 1000 : value)
  const raw =
    typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : undefined
  if (raw === undefined) return undefined
  return iso(Date.parse(raw))
}

function iso(ms: number): string | undefined {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_DATE_MS ? new Date(ms).toISOString() : undefined
}
