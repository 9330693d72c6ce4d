const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** Parses `200ms`, `5s`, `5m`, `1h`, `7d` (or a bare number of milliseconds) into milliseconds. */
export function parseDuration(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/i.exec(text)
  if (!match) throw new RangeError('not a duration')
  const unit = (match[2] ?? 'ms').toLowerCase()
  return Math.round(Number(match[1]) * (UNITS[unit] ?? 1))
}
