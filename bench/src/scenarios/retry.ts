import { performance } from 'node:perf_hooks'
import {
  connect,
  defineTopology,
  deadLetterQueueName,
  retryQueueName,
  type Broker,
  type TopologyDefinition,
} from '@warren/sdk'
import { percentiles } from '../stats.js'
import type { BenchVhost } from '../vhost.js'

const DELAY_MS = 1_000
let sequence = 0

/** One run's retry-delay error, or why broker mode was not in use on this broker. */
export type RetryDelayResult =
  { mode: 'tiers' | 'broker'; p50: number; p99: number } | { mode: 'unavailable'; reason: string }

/**
 * How far a retry arrives from its configured delay: every message fails once and is retried
 * after 1 s, through the `Q.retry.1s` tier (`tiers`) or held by the quorum queue's own delayed
 * retry (`broker`, RabbitMQ 4.3), and the error is (second delivery - first failure - 1 s), at a
 * steady publish rate. Broker mode falls back to tiers where the SDK's probe finds no delayed
 * retry: that run measures nothing and says why.
 */
export async function retryDelayRun(
  vhost: BenchVhost,
  mode: 'tiers' | 'broker',
  perSecond: number,
  seconds: number,
): Promise<RetryDelayResult> {
  sequence += 1
  const queue = `bench.retry.${mode}.${sequence}`
  const topology: TopologyDefinition = defineTopology({
    queues: { [queue]: { retry: { delays: ['1s'], maxAttempts: 2, mode } } },
  })
  const broker = await connect({ url: vhost.url, topology, service: 'bench' })
  try {
    const used = broker.diagnostics.retry[queue]
    if (used?.mode !== mode) {
      return { mode: 'unavailable', reason: used?.reason ?? 'unknown' }
    }
    return { mode, ...(await measure(broker, queue, perSecond * seconds, perSecond)) }
  } finally {
    await broker.close()
    for (const name of [queue, retryQueueName(queue, '1s'), deadLetterQueueName(queue)]) {
      await vhost.deleteQueue(name)
    }
  }
}

async function measure(broker: Broker, queue: string, total: number, perSecond: number) {
  const failedAt = new Map<string, number>()
  const errors: number[] = []
  const done = new Promise<void>((resolve) => {
    void broker.consume(
      queue,
      (message) => {
        if (message.attempt === 1) {
          failedAt.set(message.messageId, performance.now())
          throw new Error('first attempt fails')
        }
        const first = failedAt.get(message.messageId)
        if (first !== undefined) errors.push(performance.now() - first - DELAY_MS)
        if (errors.length === total) resolve()
      },
      { prefetch: 500, concurrency: 500 },
    )
  })
  const started = performance.now()
  let sent = 0
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * perSecond))
      for (; sent < due; sent++) broker.publish('', queue, { n: sent }).catch(reject)
      if (sent === total) {
        clearInterval(timer)
        resolve()
      }
    }, 10)
  })
  await done
  return percentiles(errors)
}
