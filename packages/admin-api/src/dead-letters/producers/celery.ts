import { count, text, type Headers, type Source } from './source.js'

// Celery (task message protocol 2, measured with Celery 5.2) names the task in `task`, its id in
// `id`, and in `retries` how many times the task asked to be retried, each time with a new
// message. Celery writes no error into the message; a task that fails for good with
// `acks_late` and `acks_on_failure_or_timeout` off is rejected, and the broker's x-death says so.

/** The facts of a Celery task message. */
export function celery(h: Headers): Source {
  const isTask = text(h['task']) !== undefined && text(h['id']) !== undefined
  if (!isTask || text(h['lang']) !== 'py') return {}
  // The retries failed; the last run, which did not retry, is counted by the broker's rejection.
  return { failures: count(h['retries']) }
}
