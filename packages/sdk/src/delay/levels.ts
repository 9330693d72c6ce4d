import { WarrenError } from '../errors.js'

/**
 * Delay levels 2^0 .. 2^(LEVELS-1) ms. Any delay below 2^LEVELS ms (about 795 days) is the sum
 * of the levels whose bits are set in it, so a message waits in exactly those queues, once each.
 */
export const DELAY_LEVELS = 36
export const MAX_DELAY_MS = 2 ** DELAY_LEVELS - 1

/** Where delayed messages arrive when their time has come, and its dead-letter queue. */
export const DELIVER_QUEUE = 'warren.delay.deliver'
export const DELIVER_DEAD_LETTER_QUEUE = `${DELIVER_QUEUE}.dlq`

/** The exchange and the queue of level `k` share this name, e.g. `warren.delay.1024ms`. */
export function levelName(level: number): string {
  return `warren.delay.${2 ** level}ms`
}

/**
 * The entry exchange and routing key of a delay: one word per level from the highest set bit
 * down to level 0, `1` where the message waits in that level's queue, `0` where it passes on.
 * 5 ms is `1.0.1` on `warren.delay.4ms`: 4 ms in that queue, 1 ms in `warren.delay.1ms`.
 */
export function delayRoute(delayMs: number): { exchange: string; routingKey: string } {
  if (!Number.isInteger(delayMs) || delayMs < 1 || delayMs > MAX_DELAY_MS) {
    throw new WarrenError(
      'INVALID_OPTIONS',
      `delay must be from 1 ms to ${MAX_DELAY_MS} ms (about 795 days), got ${delayMs}`,
    )
  }
  const bits = delayMs.toString(2)
  return { exchange: levelName(bits.length - 1), routingKey: bits.split('').join('.') }
}

/** The topic pattern that matches a `1` (or `0`) at `level`, counted from the right. */
export function levelPattern(level: number, bit: 0 | 1): string {
  return ['#', String(bit), ...Array<string>(level).fill('*')].join('.')
}
