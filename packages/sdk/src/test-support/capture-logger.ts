import type { LogFields, Logger } from '../logging/logger.js'

/** A logger that keeps every event, so tests can assert what was logged. */
export function captureLogger(): Logger & { events: LogFields[] } {
  const events: LogFields[] = []
  const keep = (fields: LogFields) => {
    events.push(fields)
  }
  return { events, debug: keep, info: keep, warn: keep, error: keep }
}
