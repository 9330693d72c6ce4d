import { performance } from 'node:perf_hooks'
import { BODY_BYTES, benchBody, type BenchBody } from '../body.js'
import { sdkLikeProperties, type OpenClient, type QueueType } from '../clients.js'
import { percentiles } from '../stats.js'
import type { VariantProcess } from '../variants.js'
import type { BenchVhost } from '../vhost.js'

/** 1 KiB, as the issue asks: the bench body's JSON. */
export const PAYLOAD_BYTES = BODY_BYTES

/** Confirmed publishes per second, confirm latency and client CPU, in the variant's process. */
export async function publishRun(
  vhost: BenchVhost,
  variant: VariantProcess,
  type: QueueType,
  count: number,
) {
  const queue = await vhost.freshQueue('bench.publish', type)
  try {
    return await variant.publish({ url: vhost.url, queue, type, count })
  } finally {
    await vhost.deleteQueue(queue)
  }
}

/**
 * Consume-and-ack per second with prefetch 500, and client CPU, in the variant's process, from a
 * queue filled beforehand with what the SDK publishes (the bench body as JSON, its properties).
 */
export async function consumeRun(
  vhost: BenchVhost,
  variant: VariantProcess,
  type: QueueType,
  count: number,
) {
  const queue = await vhost.freshQueue('bench.consume', type)
  try {
    const content = Buffer.from(JSON.stringify(benchBody()))
    await vhost.preload(queue, count, content, () => sdkLikeProperties(queue))
    return await variant.consume({ url: vhost.url, queue, type, count })
  } finally {
    await vhost.deleteQueue(queue)
  }
}

/** Publish at a steady rate and consume at once; latency from publish call to handler. */
export async function endToEndRun(
  vhost: BenchVhost,
  open: OpenClient,
  type: QueueType,
  perSecond: number,
  seconds: number,
) {
  const queue = await vhost.freshQueue('bench.e2e', type)
  const client = await open(vhost.url, queue, type)
  const total = perSecond * seconds
  const latencies: number[] = []
  try {
    const done = new Promise<void>((resolve) => {
      void client.consume(500, (body) => {
        latencies.push(performance.now() - (body as BenchBody).sentAt)
        if (latencies.length === total) resolve()
      })
    })
    const started = performance.now()
    let sent = 0
    // Send in 10 ms slices to keep the rate steady without a timer per message.
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * perSecond))
        for (; sent < due; sent++) {
          client.publish(benchBody(performance.now()), (error) => error && reject(error))
        }
        if (sent === total) {
          clearInterval(timer)
          resolve()
        }
      }, 10)
    })
    await done
    return percentiles(latencies)
  } finally {
    await client.close()
    await vhost.deleteQueue(queue)
  }
}
