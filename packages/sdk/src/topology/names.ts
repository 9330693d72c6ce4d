import { formatDuration, toMs, type Duration } from '../duration.js'

/** `Q.retry.<delay>`, the delay in its canonical form (`'1000ms'` -> `Q.retry.1s`). */
export function retryQueueName(queue: string, delay: Duration): string {
  return `${queue}.retry.${formatDuration(toMs(delay))}`
}

/** `Q.dlq`. */
export function deadLetterQueueName(queue: string): string {
  return `${queue}.dlq`
}
