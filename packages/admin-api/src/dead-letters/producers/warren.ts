import { HEADERS } from '@warren/sdk/protocol'
import { time } from '../time.js'
import { count, text, type Headers, type Source } from './source.js'

/** Warren's own headers (`@warren/sdk/protocol`), as the SDK writes them. */
export function warren(h: Headers): Source {
  return {
    reason: text(h[HEADERS.deadLetterReason]),
    originalQueue: text(h[HEADERS.originalQueue]),
    exchange: text(h[HEADERS.originalExchange]),
    routingKey: text(h[HEADERS.originalRoutingKey]),
    // Reset to 0 by a requeue, so that the SDK grants fresh retries; earlier lives are below.
    failures: count(h[HEADERS.attempt]),
    deadLetteredAt: time(h[HEADERS.lastFailedAt]),
    error: {
      name: text(h[HEADERS.errorName]),
      message: text(h[HEADERS.errorMessage]),
      stack: text(h[HEADERS.errorStack]),
    },
  }
}

/** What an operator's requeues left on the message: the attempts of its earlier lives. */
export function earlierLives(h: Headers): {
  attempts: number | undefined
  requeuedAt: number | undefined
} {
  const at = time(h[HEADERS.requeuedAt])
  return {
    attempts: count(h[HEADERS.previousAttempts]),
    requeuedAt: at === undefined ? undefined : Date.parse(at),
  }
}
