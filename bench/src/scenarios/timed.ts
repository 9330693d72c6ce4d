// The timed part of a publish or consume run, as a variant's own process runs it (see
// variant-process.ts): between the two clock and CPU readings there is nothing but the variant.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks'
import { benchBody } from '../body.js'
import type { OpenClient, QueueType } from '../clients.js'
import { percentiles } from '../stats.js'

/** Publishes in flight at once: "many", the same bound for every variant. */
const WINDOW = 1_000

export interface RunRequest {
  kind: 'publish' | 'consume'
  url: string
  queue: string
  type: QueueType
  count: number
}

/** Client CPU (user + system) per message, in microseconds, over the timed window. */
export interface CpuCost {
  cpuUsPerMessage: number
}

export type PublishResult = CpuCost & {
  rate: number
  latency: { p50: number; p99: number }
  peakRssMiB: number
  eventLoopP99Ms: number
}
export type ConsumeResult = CpuCost & { rate: number }

/** Starts the window: garbage left by earlier runs is collected first, so it is not billed here. */
function startWindow(): { cpu: NodeJS.CpuUsage; at: number } {
  globalThis.gc?.()
  return { cpu: process.cpuUsage(), at: performance.now() }
}

function endWindow(start: { cpu: NodeJS.CpuUsage; at: number }, count: number) {
  const cpu = process.cpuUsage(start.cpu)
  const seconds = (performance.now() - start.at) / 1000
  return { rate: count / seconds, cpuUsPerMessage: (cpu.user + cpu.system) / count }
}

/** Confirmed publishes of the bench body with up to WINDOW in flight, and each confirm's latency. */
export async function timedPublish(open: OpenClient, request: RunRequest): Promise<PublishResult> {
  const { count } = request
  const client = await open(request.url, request.queue, request.type)
  const body = benchBody()
  const latencies = new Array<number>(count)
  const loop = monitorEventLoopDelay({ resolution: 10 })
  let peakRss = process.memoryUsage.rss()
  const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100)
  try {
    loop.enable()
    const window = startWindow()
    await new Promise<void>((resolve, reject) => {
      let sent = 0
      let confirmed = 0
      const sendMore = () => {
        while (sent < count && sent - confirmed < WINDOW) {
          const index = sent++
          const at = performance.now()
          client.publish(body, (error) => {
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
    return {
      ...endWindow(window, count),
      latency: percentiles(latencies),
      peakRssMiB: peakRss / 2 ** 20,
      eventLoopP99Ms: loop.percentile(99) / 1e6,
    }
  } finally {
    loop.disable()
    clearInterval(rssTimer)
    await client.close()
  }
}

/** Consume-and-ack with prefetch 500 of `count` messages already in the queue. */
export async function timedConsume(open: OpenClient, request: RunRequest): Promise<ConsumeResult> {
  const client = await open(request.url, request.queue, request.type)
  try {
    let received = 0
    const window = startWindow()
    await new Promise<void>((resolve, reject) => {
      client
        .consume(500, () => {
          received += 1
          if (received === request.count) resolve()
        })
        .catch(reject)
    })
    return endWindow(window, request.count)
  } finally {
    await client.close()
  }
}
