import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import type { OpenClient, QueueType } from '../clients.js'
import { percentiles } from '../stats.js'
import type { BenchVhost } from '../vhost.js'

/** 1 KiB, as the issue asks; the first 8 bytes carry a send time for end-to-end latency. */
export const PAYLOAD_BYTES = 1024
/** Publishes in flight at once: "many", the same bound for every variant. */
const WINDOW = 1_000

function payloadAt(time: number): Buffer {
  const payload = Buffer.alloc(PAYLOAD_BYTES, 0x61)
  payload.writeDoubleLE(time, 0)
  return payload
}

/** Confirmed publishes per second with up to WINDOW in flight, and each confirm's latency. */
export async function publishRun(
  vhost: BenchVhost,
  open: OpenClient,
  type: QueueType,
  count: number,
) {
  const queue = await vhost.freshQueue('bench.publish', type)
  const client = await open(vhost.url, queue, type)
  const payload = payloadAt(0)
  const latencies = new Array<number>(count)
  const loop = monitorEventLoopDelay({ resolution: 10 })
  let peakRss = process.memoryUsage.rss()
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100)
  loop.enable()
  try {
    const started = performance.now()
    await new Promise<void>((resolve, reject) => {
      let sent = 0
      let confirmed = 0
      const sendMore = () => {
        while (sent < count && sent - confirmed < WINDOW) {
          const index = sent++
          const at = performance.now()
          client.publish(payload, (error) => {
            if (error) return reject(error)
            latencies[index] = performance.now() - at
            confirmed += 1
            if (confirmed === count) resolve()
            else sendMore()
          })
        }
      }
      sendMore()
    })
    const seconds = (performance.now() - started) / 1000
    return {
      rate: count / seconds,
      latency: percentiles(latencies),
      peakRssMiB: peakRss / 2 ** 20,
      eventLoopP99Ms: loop.percentile(99) / 1e6,
    }
  } finally {
    loop.disable()
    clearInterval(rssTimer)
    await client.close()
    await vhost.deleteQueue(queue)
  }
}

/** Consume-and-ack per second with prefetch 500, from a queue filled beforehand. */
export async function consumeRun(
  vhost: BenchVhost,
  open: OpenClient,
  type: QueueType,
  count: number,
) {
  const queue = await vhost.freshQueue('bench.consume', type)
  await vhost.preload(queue, count, payloadAt(0))
  const client = await open(vhost.url, queue, type)
  try {
    let received = 0
    const started = performance.now()
    await new Promise<void>((resolve, reject) => {
      client
        .consume(500, () => {
          received += 1
          if (received === count) resolve()
        })
        .catch(reject)
    })
    return { rate: count / ((performance.now() - started) / 1000) }
  } finally {
    await client.close()
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
      void client.consume(500, (payload) => {
        latencies.push(performance.now() - payload.readDoubleLE(0))
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
          client.publish(payloadAt(performance.now()), (error) => error && reject(error))
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
