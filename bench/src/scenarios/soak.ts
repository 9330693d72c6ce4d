import { performance } from 'node:perf_hooks'
import { connect, defineTopology } from '@warren/sdk'
import { round } from '../stats.js'
import type { BenchVhost } from '../vhost.js'
import { PAYLOAD_BYTES } from './throughput.js'

const WINDOW = 1_000

/** `messages` through SDK publish and consume at once, RSS sampled every second. */
export async function soak(vhost: BenchVhost, messages: number) {
  const queue = 'bench.soak'
  const topology = defineTopology({ queues: { [queue]: { retry: false, deadLetter: false } } })
  const broker = await connect({ url: vhost.url, topology, service: 'bench-soak' })
  const payload = Buffer.alloc(PAYLOAD_BYTES, 0x62)
  const mib = () => round(process.memoryUsage.rss() / 2 ** 20, 1)
  const heapMiB = () => round(process.memoryUsage().heapUsed / 2 ** 20, 1)
  const sample = (second: number) => ({ second, rssMiB: mib(), heapMiB: heapMiB() })
  const samples: { second: number; rssMiB: number; heapMiB: number }[] = [sample(0)]
  const started = performance.now()
  const sampler = setInterval(() => {
    const second = Math.round((performance.now() - started) / 1000)
    const now = sample(second)
    samples.push(now)
    process.stderr.write(`[bench] soak ${second}s rss ${now.rssMiB} MiB heap ${now.heapMiB} MiB\n`)
  }, 1000)
  try {
    let consumed = 0
    const allConsumed = new Promise<void>((resolve) => {
      void broker.consume(
        queue,
        () => {
          consumed += 1
          if (consumed === messages) resolve()
        },
        { prefetch: 500, concurrency: 500 },
      )
    })
    await new Promise<void>((resolve, reject) => {
      let sent = 0
      let confirmed = 0
      const sendMore = () => {
        while (sent < messages && sent - confirmed < WINDOW) {
          sent += 1
          broker.publish('', queue, payload).then(() => {
            confirmed += 1
            if (confirmed === messages) resolve()
            else sendMore()
          }, reject)
        }
      }
      sendMore()
    })
    await allConsumed
    samples.push(sample(round((performance.now() - started) / 1000, 1)))
    const rss = samples.map((s) => s.rssMiB)
    const heap = samples.map((s) => s.heapMiB)
    return {
      messages,
      seconds: round((performance.now() - started) / 1000, 1),
      rssMiB: { start: rss[0] ?? 0, peak: Math.max(...rss), end: rss.at(-1) ?? 0 },
      heapMiB: { start: heap[0] ?? 0, peak: Math.max(...heap), end: heap.at(-1) ?? 0 },
      samples,
    }
  } finally {
    clearInterval(sampler)
    await broker.close()
    await vhost.deleteQueue(queue)
  }
}
