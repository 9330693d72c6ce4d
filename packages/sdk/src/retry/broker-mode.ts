// Retry mode `broker`: the quorum queue's own delayed retry (RabbitMQ 4.3) holds a failed
// message between attempts instead of a TTL tier. What 4.3.6 does, measured (see the README):
// `basic.reject` with requeue raises `x-delivery-count` and `x-acquired-count`, `basic.nack`
// only `x-acquired-count`; a channel or connection lost with the message unacked raises both.
// With `x-delayed-retry-type: failed` a message whose `x-delivery-count` rose waits
// `min(x-delayed-retry-min * x-delivery-count, x-delayed-retry-max)` ms before its redelivery;
// a nacked one comes back at once.
import { toMs } from '../duration.js'
import { WarrenError } from '../errors.js'
import { HEADERS } from '../headers.js'
import type { QueueDefinition } from '../topology/types.js'

/** The broker's backoff: retry n waits `min(minMs * n, maxMs)`. */
export interface BrokerRetry {
  minMs: number
  maxMs: number
}

/**
 * The broker's schedule for the given delays, or an explanation of why they do not fit it: the
 * first delay is the step, the last the cap, and each one between must be `min(step * n, cap)`,
 * so that the tiers a fallback declares and the broker's delays are the same.
 */
export function brokerRetryOf(delaysMs: readonly number[]): BrokerRetry | string | undefined {
  const minMs = delaysMs[0]
  const maxMs = delaysMs[delaysMs.length - 1]
  if (minMs === undefined || maxMs === undefined) return undefined
  const fits = delaysMs.every((ms, i) => ms === Math.min(minMs * (i + 1), maxMs))
  if (fits) return { minMs, maxMs }
  return (
    `retry mode 'broker' delays grow linearly (min(first * n, last)), ` +
    `so they must read like ['1s', '2s', '3s'] or ['5s']`
  )
}

/** Throws `TOPOLOGY_INVALID` where a queue asks for broker retries it cannot have. */
export function checkBrokerRetry(name: string, queue: QueueDefinition): void {
  const retry = queue.retry
  if (!retry || retry.mode !== 'broker') return
  const invalid = (why: string) => new WarrenError('TOPOLOGY_INVALID', `queue '${name}': ${why}`)
  if ((queue.type ?? 'quorum') !== 'quorum') {
    throw invalid(`retry mode 'broker' needs a quorum queue (delayed retry is a quorum feature)`)
  }
  const schedule = brokerRetryOf(retry.delays.map((d) => toMs(d)))
  if (typeof schedule === 'string') throw invalid(schedule)
  // Every failed attempt raises x-delivery-count, which the delivery limit counts: below
  // maxAttempts - 1 the broker would dead-letter (x-death only) before the SDK's last attempt.
  const limit = queue.deliveryLimit ?? 20 // DEFAULT_DELIVERY_LIMIT (plan.ts imports this file)
  if (limit < retry.maxAttempts - 1) {
    throw invalid(
      `retry mode 'broker' needs deliveryLimit >= maxAttempts - 1 (${limit} < ${retry.maxAttempts - 1})`,
    )
  }
}

/** Arguments the work queue carries in broker mode. */
export function brokerRetryArguments(retry: BrokerRetry): Record<string, unknown> {
  return {
    // `failed`, not `all`: a nacked message (one never started when a consumer stops, or one
    // whose dead-letter publish failed) is not a failed attempt and must not wait.
    'x-delayed-retry-type': 'failed',
    'x-delayed-retry-min': retry.minMs,
    'x-delayed-retry-max': retry.maxMs,
  }
}

/**
 * The attempt a delivery is: the attempts its `warren-attempt` header records, plus, in broker
 * mode, the broker's `x-delivery-count`, plus this one. A requeued message comes back as it was
 * (AMQP 0-9-1 cannot change a message it returns), so in broker mode the failures of this copy
 * can only be counted by the broker; `x-delivery-count` counts exactly those (rejects and lost
 * channels), where `x-acquired-count` would also count every nack. Never `x-death`.
 */
export function attemptOf(headers: Record<string, unknown>, brokerMode: boolean): number {
  const recorded = count(headers[HEADERS.attempt])
  return recorded + (brokerMode ? count(headers['x-delivery-count']) : 0) + 1
}

function count(value: unknown): number {
  const n = Number(value ?? 0)
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0
}
