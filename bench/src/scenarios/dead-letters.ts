// `pnpm bench --only dead-letters [--dead-letters 10000,1000000] [--stores sqlite,postgres]`: the
// dead-letter store beside the live reading of RabbitMQ it replaces, end to end. One DLQ in a vhost
// of its own is filled with N dead letters; the admin API, in a process of its own, first reads it
// live (store `off`, the baseline), then takes custody of the same messages into each store. Every
// figure comes through HTTP, as the console gets it; memory is the admin API's own.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { BrowseResult, GroupsResult } from '@warren/admin-api'
import {
  BROKER,
  freePort,
  killAdminApis,
  sleep,
  startAdminApi,
  type AdminApiProcess,
} from '@warren/test-kit'
import pg from 'pg'
import { BenchVhost } from '../vhost.js'
import { memoryOf, requeueGroup, timedGet, waitForIntake } from './dead-letters-api.js'
import {
  REQUEUED_KIND,
  declareDeadLetterQueue,
  publishDeadLetters,
  requeuedGroupSize,
} from './dead-letters-data.js'
import {
  FAILED,
  PAGE,
  en,
  measures,
  type DeadLetterColumn,
  type DeadLetterFigure,
  type DeadLetterReport,
} from './dead-letters-table.js'
import { DISTINCTIVE, KINDS } from './store-data.js'
import type { StoreKind } from './store.js'

/** How far a live reading goes (the admin API's README): pages to 50,000, scans the first 10,000. */
const LIVE_MAX_OFFSET = 50_000
const LIVE_SCAN = 10_000
const POSTGRES_URL =
  process.env.WARREN_STORE_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

type Figure = (
  measure: string,
  value: number | null,
  unit: string,
  more?: { note?: string; partial?: boolean },
) => void

/** The live reading (store `off`): what the console has today. */
async function liveRun(api: AdminApiProcess, path: string, size: number, figure: Figure) {
  const m = measures(size)
  figure(m.intake, null, 'msg/s', { note: 'n/a: none, RabbitMQ is read in place' })
  const page = (offset: number) =>
    timedGet<BrowseResult>(api, `${path}/messages?limit=${PAGE}&offset=${offset}`)
  const first = await page(0)
  if (first.body.total !== size) throw new Error(`live: ${first.body.total} of ${size} messages`)
  figure(m.page0, first.ms, 'ms')
  let deepest: number | undefined
  for (const [measure, offset] of [
    [m.pageMiddle, size / 2],
    [m.pageEnd, size - PAGE],
  ] as const) {
    if (offset <= LIVE_MAX_OFFSET) {
      figure(measure, (await page(offset)).ms, 'ms')
      continue
    }
    const refused = await api.request(`${path}/messages?limit=${PAGE}&offset=${offset}`)
    if (refused.status !== 400) throw new Error(`live: offset ${offset} answered ${refused.status}`)
    deepest ??= (await page(LIVE_MAX_OFFSET)).ms
    const at = `${en(Math.round(deepest))} ms at offset ${en(LIVE_MAX_OFFSET)}, the deepest allowed`
    figure(measure, null, 'ms', { note: `n/a: refused (400); ${at}`, partial: true })
  }
  const search = await timedGet<BrowseResult>(api, `${path}/messages?search=${DISTINCTIVE}`)
  const scanned = `reads the first ${en(Math.min(size, LIVE_SCAN))}`
  const found = search.body.total > 0
  const note = `${found ? 'found' : 'NOT found'}: ${scanned}`
  figure(m.search, search.ms, 'ms', { note, partial: !found })
  const groups = await timedGet<GroupsResult>(api, `${path}/groups`)
  const { total, complete } = groups.body
  const groupsNote = complete ? 'complete' : `partial: ${en(total)} of ${en(size)}`
  figure(m.groups, groups.ms, 'ms', { note: groupsNote, partial: !complete })
  figure(m.requeue, null, 's', { note: 'n/a: a live requeue takes ids or all, not a group' })
}

/** A store's run: intake of the whole DLQ, then the console's reads and a group's requeue. */
async function storeRun(api: AdminApiProcess, path: string, size: number, figure: Figure) {
  const m = measures(size)
  const intake = await waitForIntake(api, path, size)
  figure(m.intake, intake.rate, 'msg/s', { note: `${en(size)} in ${intake.seconds.toFixed(1)} s` })
  for (const [measure, offset] of [
    [m.page0, 0],
    [m.pageMiddle, size / 2],
    [m.pageEnd, size - PAGE],
  ] as const) {
    const page = await timedGet<BrowseResult>(
      api,
      `${path}/messages?limit=${PAGE}&offset=${offset}`,
    )
    if (page.body.items.length !== PAGE) throw new Error(`store: a short page at ${offset}`)
    figure(measure, page.ms, 'ms')
  }
  const search = await timedGet<BrowseResult>(api, `${path}/messages?search=${DISTINCTIVE}`)
  if (search.body.total !== 1) throw new Error(`store: search found ${search.body.total}`)
  figure(m.search, search.ms, 'ms', { note: 'found' })
  const groups = await timedGet<GroupsResult>(api, `${path}/groups`)
  if (!groups.body.complete || groups.body.total !== size) {
    throw new Error(`store: groups of ${groups.body.total}, complete ${groups.body.complete}`)
  }
  figure(m.groups, groups.ms, 'ms', { note: `complete: ${groups.body.items.length} groups` })
  const errorName = (KINDS[REQUEUED_KIND] as (typeof KINDS)[number]).errorName
  const group = groups.body.items.find((item) => item.errorName === errorName)
  if (group?.count !== requeuedGroupSize(size)) throw new Error(`store: no group of ${errorName}`)
  const requeue = await requeueGroup(api, path, group.key)
  figure(m.requeue, requeue.seconds, 's', { note: `${en(Math.round(requeue.rate))} msg/s` })
}

/** A database of the run's own on the PostgreSQL the environment names; dropped by `drop`. */
async function postgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `warren_dl_bench_${process.pid}`
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: POSTGRES_URL })
    await client.connect()
    try {
      await client.query(sql)
    } finally {
      await client.end()
    }
  }
  await admin(`DROP DATABASE IF EXISTS ${name}`)
  await admin(`CREATE DATABASE ${name}`)
  const url = new URL(POSTGRES_URL)
  url.pathname = `/${name}`
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) }
}

/** Data folders of the admin APIs running now: an interrupted run removes them too. */
const dataDirs = new Set<string>()

/** The admin API with the column's store, on a data folder of its own, for `use`; stopped after. */
async function withAdminApi(
  vhost: BenchVhost,
  column: DeadLetterColumn,
  use: (api: AdminApiProcess) => Promise<void>,
): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'warren-dl-bench-'))
  dataDirs.add(dataDir)
  const database = column === 'postgres' ? await postgresDatabase() : undefined
  const store = { live: 'off', sqlite: `sqlite:${join(dataDir, 'dead-letters.sqlite')}` }
  let api: AdminApiProcess | undefined
  try {
    api = await startAdminApi({
      amqpUrl: BROKER.amqp,
      managementUrl: BROKER.management,
      vhosts: [vhost.name],
      dataDir,
      port: await freePort(),
      env: {
        WARREN_DEAD_LETTER_STORE: database?.url ?? store[column as 'live' | 'sqlite'],
        // The default, not the fault suite's 0ms: with no cache every request would rediscover
        // the topology (the management API and a count of the store's rows per queue).
        WARREN_DISCOVERY_CACHE: '3s',
      },
    })
    await use(api)
  } finally {
    await api?.stop()
    await database?.drop()
    rmSync(dataDir, { recursive: true, force: true })
    dataDirs.delete(dataDir)
  }
}

/** Whether `queue` holds `count` ready messages (again: a live reading hands them back). */
async function settled(vhost: BenchVhost, queue: string, count: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    const ready = await vhost.count(queue)
    if (ready === count) return true
    if (ready === 0) return false
    await sleep(200)
  }
  return false
}

/** Every size (a multiple of 100) with the live reading first, then each store. */
export async function deadLetterReport(
  sizes: readonly number[],
  stores: readonly StoreKind[],
  log: (message: string) => void,
): Promise<DeadLetterReport> {
  const figures: DeadLetterFigure[] = []
  const publishRates: Record<number, number> = {}
  const vhost = await BenchVhost.create()
  // An interrupted run still stops its admin APIs and removes its vhost.
  const interrupted = () =>
    void killAdminApis()
      .then(() => {
        for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true })
        return vhost.delete()
      })
      .finally(() => process.exit(130))
  process.once('SIGINT', interrupted)
  process.once('SIGTERM', interrupted)
  try {
    const { dlq } = await declareDeadLetterQueue(vhost)
    const path = `/api/dead-letters/${encodeURIComponent(vhost.name)}/${encodeURIComponent(dlq)}`
    for (const size of sizes) {
      if (size % 100 !== 0 || size < 1000) {
        throw new Error(`--dead-letters takes multiples of 100 from 1000 on, not ${size}`)
      }
      for (const column of ['live', ...stores] as const) {
        // The store run before drained the DLQ (and requeued a group elsewhere): fill it again.
        if (!(await settled(vhost, dlq, size))) {
          for (const kind of new Set(KINDS.map((k) => k.originalQueue)))
            await vhost.purgeQueue(kind)
          await vhost.purgeQueue(dlq)
          log(`dead letters: publishing ${en(size)} into ${dlq}`)
          const published = await publishDeadLetters(vhost, dlq, size)
          publishRates[size] ??= published.rate
        }
        log(`dead letters: ${en(size)}, ${column === 'live' ? 'live reading' : `store ${column}`}`)
        const figure: Figure = (measure, value, unit, more = {}) =>
          figures.push({ size, column, measure, value, unit, ...more })
        // A column that fails says so in the table; the others still run.
        await withAdminApi(vhost, column, async (api) => {
          if (column === 'live') await liveRun(api, path, size, figure)
          else await storeRun(api, path, size, figure)
          const memory = memoryOf(api.pid)
          figure(measures(size).peak, memory.peakMiB, 'MiB')
          figure(measures(size).rss, memory.rssMiB, 'MiB')
        }).catch((error: unknown) => {
          log(`dead letters: ${en(size)}, ${column} failed: ${String(error)}`)
          figure(FAILED, null, '', { note: String(error) })
        })
      }
    }
  } finally {
    process.off('SIGINT', interrupted)
    process.off('SIGTERM', interrupted)
    await vhost.delete()
  }
  return { figures, publishRates }
}
