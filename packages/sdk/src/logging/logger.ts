/** Structured fields of a log event; `event` names it (published, retried, dead-lettered, ...). */
export type LogFields = Record<string, unknown>

/**
 * What the SDK logs through. pino satisfies it (`pino()` can be passed as is), so does a console
 * wrapper: every method takes the structured fields first and an optional message.
 */
export interface Logger {
  debug(fields: LogFields, message?: string): void
  info(fields: LogFields, message?: string): void
  warn(fields: LogFields, message?: string): void
  error(fields: LogFields, message?: string): void
}

const noop = (): void => {}

/** The default: logs nothing, costs nothing. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop }

/** Error fields in the shape every log event uses. */
export function errorFields(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message }
  return { name: 'Error', message: String(error) }
}
