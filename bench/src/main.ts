// `pnpm bench [--quick]`: every measure runs its variants interleaved (A B C D A B C D ...) after a
// warm-up, on a fresh queue per run, and reports median and min-max over the repetitions.
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { clients, type QueueType, type VariantName } from './clients.js'
import { benchAdmin } from './scenarios/admin.js'
import { consumeRun, publishRun, endToEndRun } from './scenarios/throughput.js'
import { retryDelayRun } from './scenarios/retry.js'
import { soak } from './scenarios/soak.js'
import { BenchVhost } from './vhost.js'
import { round, summarize } from './stats.js'

const quick = process.argv.includes('--quick')
const withSoak = !quick && !process.argv.includes('--no-soak')
const settings = quick
  ? { reps: 5, messages: 2_000, warmup: 500, e2eSeconds: 1, retrySeconds: 1, dlq: 2_000 }
  : { reps: 5, messages: 20_000, warmup: 2_000, e2eSeconds: 3, retrySeconds: 3, dlq: 10_000 }
const variants: VariantName[] = ['sdk', 'raw', 'raw-props', 'acm', 'rascal']
const queueTypes: QueueType[] = ['classic', 'quorum']

interface Result {
  metric: string
  variant: string
  median: number
  min: number
  max: number
  unit: string
}
const results: Result[] = []
/** Why the SDK's retry mode broker fell back to tiers on this broker, once it did. */
let brokerRetryUnavailable: string | undefined
const samples = new Map<string, { unit: string; values: number[] }>()

function record(metric: string, variant: string, unit: string, value: number) {
  const key = `${metric}\u0000${variant}`
  const entry = samples.get(key) ?? { unit, values: [] }
  entry.values.push(value)
  samples.set(key, entry)
}

function log(message: string) {
  process.stderr.write(`[bench] ${message}\n`)
}

const vhost = await BenchVhost.create()
// An interrupted run still removes its vhost (and with it every queue it made).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void vhost.delete().finally(() => process.exit(130)))
}
try {
  // First, while the heap is fresh, so the RSS curve is the soak's own.
  const soakResult = withSoak ? await soak(vhost, 1_000_000) : undefined
  for (const type of queueTypes) {
    log(`publish and consume, ${type} queues: warm-up`)
    for (const variant of variants) {
      await publishRun(vhost, clients[variant], type, settings.warmup)
      await consumeRun(vhost, clients[variant], type, settings.warmup)
    }
    for (let rep = 1; rep <= settings.reps; rep++) {
      log(`publish and consume, ${type} queues: repetition ${rep}/${settings.reps}`)
      for (const variant of variants) {
        const publish = await publishRun(vhost, clients[variant], type, settings.messages)
        record(`publish msg/s (${type})`, variant, 'msg/s', publish.rate)
        record(`confirm latency p50 (${type})`, variant, 'ms', publish.latency.p50)
        record(`confirm latency p99 (${type})`, variant, 'ms', publish.latency.p99)
        record(`publish peak RSS (${type})`, variant, 'MiB', publish.peakRssMiB)
        record(`publish event-loop delay p99 (${type})`, variant, 'ms', publish.eventLoopP99Ms)
        const consume = await consumeRun(vhost, clients[variant], type, settings.messages)
        record(`consume msg/s (${type})`, variant, 'msg/s', consume.rate)
      }
    }
  }

  log('end-to-end latency at 2,000 msg/s (quorum)')
  for (let rep = 1; rep <= settings.reps; rep++) {
    for (const variant of variants) {
      const e2e = await endToEndRun(vhost, clients[variant], 'quorum', 2_000, settings.e2eSeconds)
      record('end-to-end latency p50 (quorum)', variant, 'ms', e2e.p50)
      record('end-to-end latency p99 (quorum)', variant, 'ms', e2e.p99)
    }
  }

  log('retry-delay error at 1,000 msg/s, 1 s delay (SDK, retry modes tiers and broker)')
  for (let rep = 1; rep <= settings.reps; rep++) {
    // Broker mode only where the broker has it: once found missing, it is not asked again.
    const modes = brokerRetryUnavailable ? (['tiers'] as const) : (['tiers', 'broker'] as const)
    for (const mode of modes) {
      const retry = await retryDelayRun(vhost, mode, 1_000, settings.retrySeconds)
      if (retry.mode === 'unavailable') {
        brokerRetryUnavailable = retry.reason
        log(`retry mode broker is unavailable on RabbitMQ ${vhost.serverVersion}: ${retry.reason}`)
        continue
      }
      record('retry-delay error p50', `sdk (${mode})`, 'ms', retry.p50)
      record('retry-delay error p99', `sdk (${mode})`, 'ms', retry.p99)
    }
  }

  log(`admin API: browse 100 of ${settings.dlq} dead letters, requeue all`)
  for (let rep = 1; rep <= Math.min(3, settings.reps); rep++) {
    const admin = await benchAdmin(vhost, settings.dlq)
    record(`admin browse 100 of ${settings.dlq}`, 'admin-api', 'ms', admin.browseMs)
    record(`admin requeue all ${settings.dlq}`, 'admin-api', 'ms', admin.requeueMs)
  }

  for (const [key, { unit, values }] of samples) {
    const [metric, variant] = key.split('\u0000') as [string, string]
    const { median, min, max } = summarize(values)
    results.push({
      metric,
      variant,
      median: round(median, 2),
      min: round(min, 2),
      max: round(max, 2),
      unit,
    })
  }

  const median = (metric: string, variant: string) =>
    results.find((r) => r.metric === metric && r.variant === variant)?.median ?? Number.NaN
  const ratio = (metric: string, a: string, b: string) =>
    round(median(metric, a) / median(metric, b), 2)
  const ratios = {
    'publish:sdk/raw': ratio('publish msg/s (quorum)', 'sdk', 'raw'),
    'publish:sdk/raw-props': ratio('publish msg/s (quorum)', 'sdk', 'raw-props'),
    'publish:sdk/raw-props (classic)': ratio('publish msg/s (classic)', 'sdk', 'raw-props'),
    'consume:sdk/raw': ratio('consume msg/s (quorum)', 'sdk', 'raw'),
    'publish:sdk/rascal': ratio('publish msg/s (quorum)', 'sdk', 'rascal'),
    'consume:sdk/rascal': ratio('consume msg/s (quorum)', 'sdk', 'rascal'),
    'publish:sdk/raw (classic)': ratio('publish msg/s (classic)', 'sdk', 'raw'),
    'consume:sdk/raw (classic)': ratio('consume msg/s (classic)', 'sdk', 'raw'),
    'publish:sdk/rascal (classic)': ratio('publish msg/s (classic)', 'sdk', 'rascal'),
    'consume:sdk/rascal (classic)': ratio('consume msg/s (classic)', 'sdk', 'rascal'),
  }
  const environment = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: round(totalmem() / 2 ** 30, 1),
    rabbitmq: vhost.serverVersion,
    mode: quick ? 'quick' : 'full',
    messagesPerRun: settings.messages,
    repetitions: settings.reps,
    payloadBytes: 1024,
  }
  const report = {
    environment,
    results,
    ratios,
    ...(brokerRetryUnavailable && { brokerRetryUnavailable }),
    ...(soakResult && { soak: soakResult }),
  }

  console.log(`\n## Warren benchmark (${environment.mode}, ${environment.date})\n`)
  console.log(`Node ${environment.node}, RabbitMQ ${environment.rabbitmq}, ${environment.cpus}\n`)
  console.log('| metric | variant | median | min | max | unit |')
  console.log('|---|---|---:|---:|---:|---|')
  for (const r of results) {
    console.log(`| ${r.metric} | ${r.variant} | ${r.median} | ${r.min} | ${r.max} | ${r.unit} |`)
  }
  if (brokerRetryUnavailable) {
    console.log(
      `\nRetry mode broker: unavailable on RabbitMQ ${environment.rabbitmq} (${brokerRetryUnavailable}); ` +
        'the retry-delay error above is the tiers mode only.',
    )
  }
  console.log('\n| ratio | value |\n|---|---:|')
  for (const [name, value] of Object.entries(ratios)) console.log(`| ${name} | ${value} |`)
  if (soakResult) {
    console.log(
      `\nSoak: ${soakResult.messages} messages in ${soakResult.seconds} s; RSS start ${soakResult.rssMiB.start} MiB, ` +
        `peak ${soakResult.rssMiB.peak} MiB, end ${soakResult.rssMiB.end} MiB; heap used start ` +
        `${soakResult.heapMiB.start} MiB, peak ${soakResult.heapMiB.peak} MiB, end ${soakResult.heapMiB.end} MiB`,
    )
  }
  const reports = join(import.meta.dirname, '../../reports')
  mkdirSync(reports, { recursive: true })
  writeFileSync(join(reports, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`)
  log(`written ${join(reports, 'bench.json')}`)
} finally {
  await vhost.delete()
}
