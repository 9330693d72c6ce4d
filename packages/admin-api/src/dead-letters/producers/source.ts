// What each producer's headers say about a dead letter, in one shape, and the readers of AMQP
// field values they share. A header is written by whoever published the message: any value may
// arrive, so every reader returns undefined for what it does not understand.

export type Headers = Record<string, unknown>

export interface ErrorFacts {
  name?: string | undefined
  message?: string | undefined
  stack?: string | undefined
}

export interface Source {
  reason?: string | undefined
  originalQueue?: string | undefined
  exchange?: string | undefined
  routingKey?: string | undefined
  /**
   * Failed attempts this source counted since the message's last requeue; `null` when it knows
   * there were failures but not how many.
   */
  failures?: number | null | undefined
  /** When this source says the message was dead-lettered (ISO 8601). */
  deadLetteredAt?: string | undefined
  error?: ErrorFacts
}

export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (Buffer.isBuffer(value)) return value.toString('utf8')
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return undefined
}

/** A count: a non-negative whole number, as a number or a numeric string. */
export function count(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined
}

/** A nested field table (amqplib decodes one as a plain object). */
export function table(value: unknown): Headers | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  if (Array.isArray(value) || Buffer.isBuffer(value)) return undefined
  return value as Headers
}

/** The latest of some ISO 8601 times. */
export function latest(times: ReadonlyArray<string | undefined>): string | undefined {
  let found: string | undefined
  for (const at of times) {
    if (at !== undefined && (found === undefined || Date.parse(at) > Date.parse(found))) found = at
  }
  return found
}
