import { performance } from 'node:perf_hooks'
import { connect, defineTopology, deadLetterQueueName, retryQueueName } from '@warren/sdk'
import { percentiles } from '../stats.js'
import type { BenchVhost } from '../vhost.js'

const DELAY_MS = 1_000
let sequence = 0

/**
 * How far a retry arrives from its tier's delay: every message fails once, goes to the 1 s tier,
 * and the error is (second delivery - first failure - 1 s), at a steady publish rate.
 */
export async function retryDelayRun(vhost: BenchVhost, perSecond: number, seconds: number) {
  sequence += 1
  const queue = `bench.retry.${sequence}`
  const topology = defineTopology({
    queues: { [queue]: { retry: { delays: ['1s'], maxAttempts: 2 } } },
  })
  const broker = await connect({ url: vhost.url, topology, service: 'bench' })
  const total = perSecond * seconds
  const failedAt = new Map<string, number>()
  const errors: number[] = []
  try {
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
  } finally {
    await broker.close()
    for (const name of [queue, retryQueueName(queue, '1s'), deadLetterQueueName(queue)]) {
      await vhost.deleteQueue(name)
    }
  }
}
