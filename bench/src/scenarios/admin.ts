import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createApp, loadConfig } from '@warren/admin-api'
import { connect, deadLetterQueueName, defineTopology } from '@warren/sdk'
import type { BenchVhost } from '../vhost.js'
import { PAYLOAD_BYTES } from './throughput.js'

const TOKEN = 'bench-operator-token'
let sequence = 0

/** Time for the admin API to browse the first 100 of `count` dead letters and to requeue them all. */
export async function benchAdmin(vhost: BenchVhost, count: number) {
  sequence += 1
  const queue = `bench.admin.${sequence}`
  const dlq = deadLetterQueueName(queue)
  const broker = await connect({
    url: vhost.url,
    topology: defineTopology({ queues: { [queue]: { retry: false } } }),
  })
  await broker.close()
  await vhost.preload(dlq, count, Buffer.alloc(PAYLOAD_BYTES, 0x63), {
    'warren-dead-letter-reason': 'non-retryable',
    'warren-original-queue': queue,
    'warren-error-name': 'Error',
    'warren-error-message': 'benchmark failure',
  })
  const dataDir = mkdtempSync(join(tmpdir(), 'warren-bench-'))
  const { app, close } = createApp(
    loadConfig({ ...process.env, WARREN_ADMIN_TOKEN: TOKEN, WARREN_DATA_DIR: dataDir }),
    { logSink: () => undefined },
  )
  const path = `/api/dead-letters/${encodeURIComponent(vhost.name)}/${encodeURIComponent(dlq)}`
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }
  try {
    let started = performance.now()
    const browse = await app.request(`${path}/messages?limit=100`, { headers })
    const browseMs = performance.now() - started
    const page = (await browse.json()) as { items?: unknown[] }
    if (browse.status !== 200 || page.items?.length !== 100) {
      throw new Error(`browse answered ${browse.status} with ${page.items?.length} items`)
    }
    started = performance.now()
    const requeue = await app.request(`${path}/requeue`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ all: true }),
    })
    const requeueMs = performance.now() - started
    const outcome = (await requeue.json()) as { requeued?: number }
    if (requeue.status !== 200 || outcome.requeued !== count) {
      throw new Error(`requeue answered ${requeue.status}: ${JSON.stringify(outcome)}`)
    }
    return { browseMs, requeueMs }
  } finally {
    await close()
    rmSync(dataDir, { recursive: true, force: true })
    await vhost.deleteQueue(queue)
    await vhost.deleteQueue(dlq)
  }
}
