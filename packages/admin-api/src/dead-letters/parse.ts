// Reads why a message was dead-lettered from whichever headers it carries: Warren's own, another
// framework's (Spring AMQP, MassTransit, NServiceBus, Rascal, Celery) or the broker's. Each
// producer's reader is in producers/.

import { broker } from './producers/broker.js'
import { celery } from './producers/celery.js'
import { massTransit } from './producers/mass-transit.js'
import { nServiceBus } from './producers/nservicebus.js'
import { rascal } from './producers/rascal.js'
import type { ErrorFacts, Headers, Source } from './producers/source.js'
import { latest } from './producers/source.js'
import { spring } from './producers/spring.js'
import { earlierLives, warren } from './producers/warren.js'
import { explainReason } from './explain.js'
import { time } from './time.js'

export { time }

export interface DeadLetterFacts {
  reason: string | null
  originalQueue: string | null
  exchange: string | null
  routingKey: string | null
  /** Failed attempts in all, across requeues; null when the headers do not tell. */
  attempts: number | null
  error: { name: string | null; message: string | null; stack: string | null } | null
  /** The latest death any source records, null when none is known since the last requeue. */
  deadLetteredAt: string | null
  /** The reason in words, for an operator (explain.ts); null when there is nothing to add. */
  explanation: string | null
}

type Described = 'reason' | 'originalQueue' | 'exchange' | 'routingKey'

/**
 * Reason, origin and error come from the first source that has them, most specific first;
 * attempts add up what every source counted; the time is the latest death.
 */
export function parseDeadLetter(headers: Headers | undefined): DeadLetterFacts {
  const h = headers ?? {}
  const sources: Source[] = [
    warren(h),
    spring(h),
    massTransit(h),
    nServiceBus(h),
    rascal(h),
    celery(h),
    broker(h),
  ]
  const pick = (key: Described): string | undefined =>
    sources.map((source) => source[key]).find((value) => value !== undefined)
  const errorOf = (key: keyof ErrorFacts): string | null =>
    sources.map((source) => source.error?.[key]).find((value) => value !== undefined) ?? null
  const error = { name: errorOf('name'), message: errorOf('message'), stack: errorOf('stack') }
  const hasError = error.name !== null || error.message !== null || error.stack !== null
  const lives = earlierLives(h)
  const facts = {
    reason: pick('reason') ?? (hasError ? 'exception' : null),
    originalQueue: pick('originalQueue') ?? null,
    exchange: pick('exchange') ?? null,
    routingKey: pick('routingKey') ?? null,
    attempts: attempts(sources, lives.attempts),
    error: hasError ? error : null,
    deadLetteredAt: deadLetteredAt(sources, lives.requeuedAt),
  }
  return { ...facts, explanation: explainReason(facts) }
}

/**
 * Every source counts failures of its own (the SDK's or Rascal's retries, Celery's, the broker's
 * rejections), so they add up; a requeue left the sum of earlier lives in a header.
 */
function attempts(sources: Source[], earlier: number | undefined): number | null {
  const counted = sources.map((source) => source.failures).filter((n) => n !== undefined)
  if (counted.includes(null)) return null
  if (counted.length === 0 && earlier === undefined) return null
  return counted.reduce<number>((sum, n) => sum + (n ?? 0), earlier ?? 0)
}

/**
 * A time from before the last requeue is an earlier death. x-death keeps whole seconds, so a
 * death in the second of the requeue still counts as later.
 */
function deadLetteredAt(sources: Source[], requeuedAt: number | undefined): string | null {
  const at = latest(sources.map((source) => source.deadLetteredAt))
  if (at === undefined) return null
  if (requeuedAt !== undefined && Date.parse(at) < requeuedAt - 1000) return null
  return at
}
