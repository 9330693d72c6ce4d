// `pnpm bench [--quick] [--only throughput] [--queues quorum] [--variants sdk,raw] [--reps N]
// [--messages N] [--no-soak] [--only dead-letters --dead-letters 1000000]`: every measure runs its variants interleaved (A B C D A B C D ...)
// after a warm-up, on a fresh queue per run, and reports median and min-max over the repetitions.
// Publish and consume runs happen in each variant's own process, so their client CPU is its own.
import { mkdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import { clients, type QueueType, type VariantName } from './clients.js'
import { benchAdmin } from './scenarios/admin.js'
import { deadLetterReport } from './scenarios/dead-letters.js'
import { printDeadLetterReport } from './scenarios/dead-letters-table.js'
import { consumeRun, publishRun, endToEndRun } from './scenarios/throughput.js'
import { retryDelayRun } from './scenarios/retry.js'
import { soak } from './scenarios/soak.js'
import { storeReport, type StoreKind } from './scenarios/store.js'
import { VariantProcess } from './variants.js'
import { BenchVhost } from './vhost.js'
import { round, summarize } from './stats.js'

const argv = process.argv.slice(2)
const option = (name: string) => {
  const index = argv.indexOf(`--${name}`)
  return index === -1 ? undefined : argv[index + 1]
}
const quick = argv.includes('--quick')
/**
 * `--only throughput`: publish and consume only (no end-to-end, retry, admin or soak);
 * `--only publish` or `--only consume`: that one alone (as for a CPU profile of it);
 * `--only store`: the dead-letter store alone (no broker), `--stores`, `--store-rows`;
 * `--only dead-letters`: the store beside the live reading, through the admin API's process,
 * `--dead-letters 10000,1000000` (default 10,000), `--stores sqlite,postgres` (default sqlite).
 */
const only = option('only')
const throughputOnly = only === 'throughput' || only === 'publish' || only === 'consume'
const runPublish = only !== 'consume'
const runConsume = only !== 'publish'
const withSoak = !quick && !throughputOnly && !argv.includes('--no-soak')
/** The store beside the live reading at 10,000 (about 30 s); `--only dead-letters` for more. */
const withDeadLetters = !quick && !throughputOnly && !argv.includes('--no-dead-letters')
const settings = quick
  ? { reps: 5, messages: 2_000, warmup: 500, e2eSeconds: 1, retrySeconds: 1, dlq: 2_000 }
  : { reps: 5, messages: 20_000, warmup: 2_000, e2eSeconds: 3, retrySeconds: 3, dlq: 10_000 }
if (option('reps')) settings.reps = Number(option('reps'))
if (option('messages')) settings.messages = Number(option('messages'))
const variants = (option('variants')?.split(',') ?? [
  'sdk',
  'raw',
  'raw-buffer',
  'acm',
  'rascal',
]) as VariantName[]
const queueTypes = (option('queues')?.split(',') ?? ['classic', 'quorum']) as QueueType[]
/** End-to-end latency needs each body's send time, which raw-buffer does not decode. */
const e2eVariants = variants.filter((variant) => variant !== 'raw-buffer')

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

function writeReport(file: string, data: unknown) {
  const reports = join(import.meta.dirname, '../../reports')
  mkdirSync(reports, { recursive: true })
  writeFileSync(join(reports, file), `${JSON.stringify(data, null, 2)}\n`)
  log(`written ${join(reports, file)}`)
}

// The dead-letter store needs no broker: it runs alone and ends the run.
if (only === 'store') {
  const kinds = (option('stores')?.split(',') ?? ['sqlite', 'postgres']) as StoreKind[]
  const sizes = (option('store-rows') ?? (quick ? '10000' : '10000,1000000')).split(',').map(Number)
  writeReport('store-bench.json', await storeReport(kinds, sizes, log))
  process.exit(0)
}

// The store beside the live reading, end to end: a vhost and admin API processes of its own.
if (only === 'dead-letters') {
  const sizes = (option('dead-letters') ?? '10000').split(',').map(Number)
  const kinds = (option('stores')?.split(',') ?? ['sqlite']) as StoreKind[]
  const deadLetters = await deadLetterReport(sizes, kinds, log)
  printDeadLetterReport(deadLetters)
  writeReport('dead-letters-bench.json', deadLetters)
  process.exit(0)
}

const vhost = await BenchVhost.create()
// An interrupted run still removes its vhost (and with it every queue it made).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void vhost.delete().finally(() => process.exit(130)))
}
try {
  // First, while the heap is fresh, so the RSS curve is the soak's own.
  const soakResult = withSoak ? await soak(vhost, 1_000_000) : undefined
  const processes = variants.map((variant) => new VariantProcess(variant))
  try {
    for (const type of queueTypes) {
      log(`publish and consume, ${type} queues: warm-up`)
      for (const variant of processes) {
        if (runPublish) await publishRun(vhost, variant, type, settings.warmup)
        if (runConsume) await consumeRun(vhost, variant, type, settings.warmup)
      }
      for (let rep = 1; rep <= settings.reps; rep++) {
        log(`publish and consume, ${type} queues: repetition ${rep}/${settings.reps}`)
        const cpu = new Map<string, { publish: number | undefined; consume: number | undefined }>()
        for (const variant of processes) {
          const name = variant.name
          const publish = runPublish
            ? await publishRun(vhost, variant, type, settings.messages)
            : undefined
          if (publish) {
            record(`publish msg/s (${type})`, name, 'msg/s', publish.rate)
            record(`publish CPU/msg (${type})`, name, 'µs', publish.cpuUsPerMessage)
            record(`confirm latency p50 (${type})`, name, 'ms', publish.latency.p50)
            record(`confirm latency p99 (${type})`, name, 'ms', publish.latency.p99)
            record(`publish peak RSS (${type})`, name, 'MiB', publish.peakRssMiB)
            record(`publish event-loop delay p99 (${type})`, name, 'ms', publish.eventLoopP99Ms)
          }
          const consume = runConsume
            ? await consumeRun(vhost, variant, type, settings.messages)
            : undefined
          if (consume) {
            record(`consume msg/s (${type})`, name, 'msg/s', consume.rate)
            record(`consume CPU/msg (${type})`, name, 'µs', consume.cpuUsPerMessage)
          }
          cpu.set(name, { publish: publish?.cpuUsPerMessage, consume: consume?.cpuUsPerMessage })
        }
        // The same repetition's sdk and raw, side by side: steadier than a ratio of medians
        // when the machine's load changes between repetitions.
        const sdkCpu = cpu.get('sdk')
        const rawCpu = cpu.get('raw')
        for (const kind of ['publish', 'consume'] as const) {
          const [sdkUs, rawUs] = [sdkCpu?.[kind], rawCpu?.[kind]]
          if (sdkUs === undefined || rawUs === undefined) continue
          record(`${kind} CPU/msg sdk/raw (${type})`, 'paired', 'x', sdkUs / rawUs)
        }
      }
    }
  } finally {
    await Promise.all(processes.map((variant) => variant.close()))
  }

  if (!throughputOnly) {
    log('end-to-end latency at 2,000 msg/s (quorum)')
    for (let rep = 1; rep <= settings.reps; rep++) {
      for (const variant of e2eVariants) {
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
          log(
            `retry mode broker is unavailable on RabbitMQ ${vhost.serverVersion}: ${retry.reason}`,
          )
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
  }
  const deadLetters = withDeadLetters
    ? await deadLetterReport([10_000], ['sqlite'], log)
    : undefined

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
  // Throughput: above 1 the SDK is faster. Client CPU per message: above 1 the SDK costs more.
  const allRatios: Record<string, number> = {
    'publish:sdk/raw': ratio('publish msg/s (quorum)', 'sdk', 'raw'),
    'publish:sdk/raw-buffer': ratio('publish msg/s (quorum)', 'sdk', 'raw-buffer'),
    'consume:sdk/raw': ratio('consume msg/s (quorum)', 'sdk', 'raw'),
    'publish:sdk/rascal': ratio('publish msg/s (quorum)', 'sdk', 'rascal'),
    'consume:sdk/rascal': ratio('consume msg/s (quorum)', 'sdk', 'rascal'),
    'publish:sdk/raw (classic)': ratio('publish msg/s (classic)', 'sdk', 'raw'),
    'publish:sdk/raw-buffer (classic)': ratio('publish msg/s (classic)', 'sdk', 'raw-buffer'),
    'consume:sdk/raw (classic)': ratio('consume msg/s (classic)', 'sdk', 'raw'),
    'publish:sdk/rascal (classic)': ratio('publish msg/s (classic)', 'sdk', 'rascal'),
    'consume:sdk/rascal (classic)': ratio('consume msg/s (classic)', 'sdk', 'rascal'),
    'publish CPU/msg:sdk/raw': ratio('publish CPU/msg (quorum)', 'sdk', 'raw'),
    'consume CPU/msg:sdk/raw': ratio('consume CPU/msg (quorum)', 'sdk', 'raw'),
    'publish CPU/msg:sdk/raw (classic)': ratio('publish CPU/msg (classic)', 'sdk', 'raw'),
    'consume CPU/msg:sdk/raw (classic)': ratio('consume CPU/msg (classic)', 'sdk', 'raw'),
  }
  // A ratio whose variants or queue type this run left out is not shown.
  const ratios = Object.fromEntries(
    Object.entries(allRatios).filter(([, value]) => Number.isFinite(value)),
  )
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
    ...(deadLetters && { deadLetters }),
  }

  console.log(`\n## Warren benchmark (${environment.mode}, ${environment.date})\n`)
  console.log(`Node ${environment.node}, RabbitMQ ${environment.rabbitmq}, ${environment.cpus}\n`)
  console.log(
    "raw: amqplib doing the SDK's work (JSON.stringify of the same object per message, messageId " +
      'UUID v7, timestamp, contentType, type, appId, persistent, mandatory, confirm channel; ' +
      'JSON.parse on consume). raw-buffer: the same bytes serialised once, no other properties. ' +
      "CPU/msg: user + system CPU of the variant's own process over the timed window.\n",
  )
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
  if (deadLetters) printDeadLetterReport(deadLetters)
  writeReport('bench.json', report)
} finally {
  await vhost.delete()
}
