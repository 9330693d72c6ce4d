const integer = new Intl.NumberFormat('en', { maximumFractionDigits: 0 })
const decimal = new Intl.NumberFormat('en', { maximumFractionDigits: 1 })

export const formatCount = (value: number | null | undefined): string =>
  value === null || value === undefined ? '–' : integer.format(value)

/** Rates in messages per second: one decimal below 10/s, none above. */
export const formatRate = (value: number | null | undefined): string => {
  if (value === null || value === undefined) return '–'
  return `${value < 10 ? decimal.format(value) : integer.format(value)}/s`
}

export const formatBytes = (value: number): string => {
  if (value < 1024) return `${value} B`
  if (value < 1024 * 1024) return `${decimal.format(value / 1024)} KiB`
  return `${decimal.format(value / 1024 / 1024)} MiB`
}

/** A duration in milliseconds as the largest sensible unit: `42s`, `5m`, `3h 10m`, `2d 4h`. */
export function formatAge(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–'
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s}s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m}m`
  const h = Math.floor(m / 60)
  if (h < 24) return `${h}h ${m % 60}m`
  return `${Math.floor(h / 24)}d ${h % 24}h`
}

/** A retry delay: milliseconds below a second (`200ms`), else as an age (`5s`, `1m`). */
export function formatDelay(ms: number): string {
  return ms > 0 && ms < 1000 ? `${Math.round(ms)}ms` : formatAge(ms)
}

const dateTime = new Intl.DateTimeFormat('en-GB', {
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
})

export function formatTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '–'
  // AMQP timestamps are seconds since the epoch; JavaScript's are milliseconds.
  const date = new Date(typeof value === 'number' && value < 1e12 ? value * 1000 : value)
  return Number.isNaN(date.getTime()) ? String(value) : dateTime.format(date)
}

/** Pretty JSON when the text parses, the text itself otherwise. */
export function prettyPayload(payload: unknown): string {
  if (typeof payload === 'string') {
    try {
      return JSON.stringify(JSON.parse(payload), null, 2)
    } catch {
      return payload
    }
  }
  return JSON.stringify(payload, null, 2) ?? String(payload)
}

/** How long ago (or ahead) a time is: `3m ago`, `in 2h 5m`; `–` when unknown. */
export function formatRelative(value: string | null | undefined, now: number = Date.now()): string {
  const ms = value ? Date.parse(value) : NaN
  if (Number.isNaN(ms)) return '–'
  const age = formatAge(Math.abs(now - ms))
  return now >= ms ? `${age} ago` : `in ${age}`
}

const zoned = new Intl.DateTimeFormat('en-GB', {
  year: 'numeric',
  month: 'short',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short',
})

/** A time with its date and zone, for a title or a second line: `03 Dec 2026, 11:02:47 UTC`. */
export function formatAbsolute(value: string | null | undefined): string {
  const ms = value ? Date.parse(value) : NaN
  return Number.isNaN(ms) ? '–' : zoned.format(ms)
}

/** Seconds left as `1h 5m`, `42s`; `–` when unknown. */
export const formatEta = (seconds: number | null | undefined): string =>
  seconds === null || seconds === undefined ? '–' : formatAge(seconds * 1000)
