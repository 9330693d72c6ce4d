import { time } from '../time.js'
import { count, text, type Headers, type Source } from './source.js'

/** Warren's own headers (DESIGN.md section 2), as the SDK writes them. */
export function warren(h: Headers): Source {
  return {
    reason: text(h['warren-dead-letter-reason']),
    originalQueue: text(h['warren-original-queue']),
    exchange: text(h['warren-original-exchange']),
    routingKey: text(h['warren-original-routing-key']),
    // Reset to 0 by a requeue, so that the SDK grants fresh retries; earlier lives are below.
    failures: count(h['warren-attempt']),
    deadLetteredAt: time(h['warren-last-failed-at']),
    error: {
      name: text(h['warren-error-name']),
      message: text(h['warren-error-message']),
      stack: text(h['warren-error-stack']),
    },
  }
}

/** What an operator's requeues left on the message: the attempts of its earlier lives. */
export function earlierLives(h: Headers): {
  attempts: number | undefined
  requeuedAt: number | undefined
} {
  const at = time(h['warren-requeued-at'])
  return {
    attempts: count(h['warren-previous-attempts']),
    requeuedAt: at === undefined ? undefined : Date.parse(at),
  }
}
