// The dead letters of `--only dead-letters`, published into a real DLQ as the SDK writes them:
// the store benchmark's five kinds of failure and bodies (store-data.ts), in uneven shares so that
// one group is a tenth of the queue (at 1,000,000: the group of 100,000 to requeue).
import { connect as amqpConnect } from 'amqplib'
import { HEADERS, connect, deadLetterQueueName, defineTopology } from '@warren/sdk'
import type { BenchVhost } from '../vhost.js'
import { KINDS, START, syntheticBody, type Kind } from './store-data.js'

/** Each kind's share of the queue, in hundredths; the fourth (NotFoundError) is the tenth. */
const SHARES = [45, 25, 12, 10, 8] as const
/** The kind whose group the scenario requeues. */
export const REQUEUED_KIND = 3
/** Publishes in flight at once before the next waits for confirms. */
const WINDOW = 5_000

/** The kind of the `n`th dead letter: in every hundred, the shares of {@link SHARES}. */
function kindOf(n: number): Kind {
  let slot = n % 100
  for (const [index, share] of SHARES.entries()) {
    if (slot < share) return KINDS[index] as Kind
    slot -= share
  }
  throw new Error('the shares add up to 100')
}

/** How many of `total` dead letters (a multiple of 100) the requeued group holds. */
export const requeuedGroupSize = (total: number) => (total / 100) * SHARES[REQUEUED_KIND]

export interface DeadLetterQueue {
  /** The work queue the DLQ belongs to (its dead-letter exchange points at the DLQ). */
  queue: string
  dlq: string
}

/**
 * Declares a work queue and its DLQ through the SDK (so discovery sees a dead-letter queue), the
 * original queues a requeue sends back to, and returns their names.
 */
export async function declareDeadLetterQueue(vhost: BenchVhost): Promise<DeadLetterQueue> {
  const queue = 'bench.dead-letters'
  const broker = await connect({
    url: vhost.url,
    topology: defineTopology({ queues: { [queue]: { retry: false } } }),
  })
  await broker.close()
  const connection = await amqpConnect(vhost.url)
  try {
    const channel = await connection.createChannel()
    for (const original of new Set(KINDS.map((kind) => kind.originalQueue))) {
      await channel.assertQueue(original, { durable: true })
    }
  } finally {
    await connection.close()
  }
  return { queue, dlq: deadLetterQueueName(queue) }
}

/**
 * Publishes `total` dead letters into `dlq` on a confirm channel, {@link WINDOW} in flight;
 * resolves with the rate once the broker confirmed the last.
 */
export async function publishDeadLetters(
  vhost: BenchVhost,
  dlq: string,
  total: number,
): Promise<{ seconds: number; rate: number }> {
  const connection = await amqpConnect(vhost.url)
  const started = performance.now()
  try {
    const channel = await connection.createConfirmChannel()
    for (let n = 0; n < total; n++) {
      const kind = kindOf(n)
      const at = new Date(START + n * 1000).toISOString()
      const writable = channel.sendToQueue(dlq, syntheticBody(n, total), {
        messageId: `msg-${n}`,
        contentType: 'application/json',
        persistent: true,
        timestamp: Math.floor((START + n * 1000) / 1000),
        headers: {
          [HEADERS.attempt]: 3,
          [HEADERS.deadLetterReason]: 'max-attempts',
          [HEADERS.originalQueue]: kind.originalQueue,
          [HEADERS.originalExchange]: '',
          [HEADERS.originalRoutingKey]: kind.routingKey,
          [HEADERS.errorName]: kind.errorName,
          [HEADERS.errorMessage]: kind.message(n),
          [HEADERS.errorStack]: kind.stack,
          [HEADERS.firstFailedAt]: at,
          [HEADERS.lastFailedAt]: at,
        },
      })
      if (n % WINDOW === WINDOW - 1) await channel.waitForConfirms()
      else if (!writable) await new Promise((resolve) => channel.once('drain', resolve))
    }
    await channel.waitForConfirms()
  } finally {
    await connection.close()
  }
  const seconds = (performance.now() - started) / 1000
  return { seconds, rate: total / seconds }
}
