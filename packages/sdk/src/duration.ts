import { WarrenError } from './errors.js'

/** Milliseconds as a number, or a string such as `'200ms'`, `'1s'`, `'10s'`, `'1m'`, `'1h'`. */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd'}`

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const
const PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/

/** Milliseconds of a duration; throws `TOPOLOGY_INVALID` for anything unparseable or negative. */
export function toMs(duration: Duration): number {
  if (typeof duration === 'number') {
    if (!Number.isFinite(duration) || duration < 0) throw invalid(duration)
    return Math.round(duration)
  }
  const match = PATTERN.exec(duration)
  if (!match) throw invalid(duration)
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS])
}

/**
 * The canonical form of a duration, used in retry tier names: the largest unit that divides it
 * exactly, so `'1000ms'`, `1000` and `'1s'` all name the same queue `Q.retry.1s`.
 */
export function formatDuration(ms: number): string {
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms > 0 && ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`
  }
  return `${ms}ms`
}

function invalid(value: unknown): WarrenError {
  return new WarrenError('TOPOLOGY_INVALID', `invalid duration ${JSON.stringify(value)}`)
}
