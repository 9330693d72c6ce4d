// What a dead letter's reason means to an operator, in words: the broker's own reasons are terse
// (`delivery_limit` is what a handler that crashes its process on every delivery leaves behind,
// with no error anywhere), and the next step depends on which it was.
import type { DeadLetterFacts } from './parse.js'

type Facts = Pick<DeadLetterFacts, 'reason' | 'originalQueue' | 'attempts' | 'error'>

/** One sentence on why the message is here and what it suggests; null for an unknown reason. */
export function explainReason(facts: Facts): string | null {
  const queue = facts.originalQueue ? `'${facts.originalQueue}'` : 'its queue'
  const times = facts.attempts === null ? '' : ` ${facts.attempts} times`
  switch (facts.reason) {
    case 'delivery_limit':
      return (
        `Delivered${times} from ${queue} without an ack or a reject, up to the queue's delivery ` +
        'limit: the consumer crashed, was killed, timed out or lost its connection while ' +
        'handling it, so no error was recorded. Look at the consumer\u2019s logs and restarts ' +
        'around the time it was dead-lettered.'
      )
    case 'expired':
      return `Its time to live ran out in ${queue} before a consumer took it.`
    case 'maxlen':
      return `${queue} was at its length limit, and this message was dropped from it into the DLQ.`
    case 'rejected':
      return facts.error
        ? null
        : `A consumer of ${queue} rejected it without requeueing and recorded no error.`
    case 'max-attempts':
      return facts.attempts === null
        ? 'Every attempt failed; the last error is shown.'
        : `All ${facts.attempts} attempts failed; the last error is shown.`
    default:
      return null
  }
}
