// `pnpm bench --only store`: the dead-letter store's two implementations filled with synthetic
// dead letters (store-data.ts), then every read the console makes, timed on the full store.
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import {
  createPostgresStore,
  createSqliteStore,
  type DeadLetterFilter,
  type DeadLetterStore,
} from '@warren/admin-api/store'
import pg from 'pg'
import { round, summarize } from '../stats.js'
import {
  BENCH_QUEUE,
  BENCH_VHOST,
  DISTINCTIVE,
  KIND_FINGERPRINTS,
  START,
  syntheticDeadLetter,
} from './store-data.js'

export type StoreKind = 'sqlite' | 'postgres'

export interface StoreFigure {
  store: StoreKind
  rows: number
  measure: string
  value: number
  unit: string
}

const BATCH = 500
/** Each read runs this often on the full store; the figure is the median. */
const REPS = 3
const POSTGRES_URL =
  process.env.WARREN_STORE_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

interface Opened {
  store: DeadLetterStore
  /** Bytes the store takes on disk. */
  size(): Promise<number>
  /** What the database does after a bulk load by itself (autovacuum); timed apart. */
  settle(): Promise<void>
  drop(): Promise<void>
}

async function open(kind: StoreKind): Promise<Opened> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'warren-store-bench-'))
    const path = join(dir, 'dead-letters.db')
    const fileSize = (file: string) => {
      try {
        return statSync(file).size
      } catch {
        return 0
      }
    }
    return {
      store: createSqliteStore({ path }),
      size: async () => fileSize(path) + fileSize(`${path}-wal`),
      settle: async () => undefined,
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    }
  }
  const schema = `warren_store_bench_${process.pid}`
  const admin = async <T>(work: (client: pg.Client) => Promise<T>) => {
    const client = new pg.Client({ connectionString: POSTGRES_URL })
    await client.connect()
    try {
      return await work(client)
    } finally {
      await client.end()
    }
  }
  await admin((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))
  return {
    store: createPostgresStore({ url: POSTGRES_URL, schema }),
    size: () =>
      admin(async (client) => {
        const { rows } = await client.query(
          'SELECT sum(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c ' +
            `JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'`,
          [schema],
        )
        return Number(rows[0]?.bytes ?? 0)
      }),
    settle: () =>
      admin(async (client) => void (await client.query(`VACUUM ANALYZE ${schema}.dead_letters`))),
    drop: () =>
      admin((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(
        () => undefined,
      ),
  }
}

async function timed(work: () => Promise<unknown>, reps = REPS): Promise<number> {
  const samples: number[] = []
  for (let rep = 0; rep < reps; rep++) {
    const started = performance.now()
    await work()
    samples.push(performance.now() - started)
  }
  return summarize(samples).median
}

export async function benchStore(
  kind: StoreKind,
  rows: number,
  log: (message: string) => void,
): Promise<StoreFigure[]> {
  const figures: StoreFigure[] = []
  const figure = (measure: string, value: number, unit = 'ms') =>
    figures.push({ store: kind, rows, measure, value: round(value, unit === 'ms' ? 1 : 0), unit })
  let peakRss = process.memoryUsage().rss
  const opened = await open(kind)
  const { store } = opened
  try {
    await store.init()
    log(`store ${kind}: filling with ${rows.toLocaleString('en')} dead letters`)
    let insertMs = 0
    const fillStarted = performance.now()
    for (let from = 0; from < rows; from += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, rows - from) }, (_, i) =>
        syntheticDeadLetter(from + i, rows),
      )
      const started = performance.now()
      await store.insert(batch)
      insertMs += performance.now() - started
      if (from % 50_000 === 0) peakRss = Math.max(peakRss, process.memoryUsage().rss)
    }
    figure('insert (batches of 500)', rows / (insertMs / 1000), 'msg/s')
    figure('fill, wall time with generation', (performance.now() - fillStarted) / 1000, 's')
    const settleStarted = performance.now()
    await opened.settle()
    // SQLite's search indexer works behind the intake: the reads are timed once it caught up.
    while ((await store.searchBacklog()) > 0) {
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    figure(
      kind === 'postgres'
        ? 'VACUUM ANALYZE after the fill'
        : 'search index caught up, after the fill',
      performance.now() - settleStarted,
    )

    const q = (filter: DeadLetterFilter = {}) => store.count(BENCH_VHOST, BENCH_QUEUE, filter)
    const page = (offset: number, filter: DeadLetterFilter = {}) =>
      store.page(BENCH_VHOST, BENCH_QUEUE, filter, 50, offset)
    const held = await q()
    if (held !== rows) throw new Error(`the store holds ${held} of ${rows}`)
    const found = await page(0, { search: DISTINCTIVE.toUpperCase() })
    if (found.length !== 1) throw new Error(`search found ${found.length} rows, not 1`)

    figure('count', await timed(() => q()))
    figure('page 50 at offset 0', await timed(() => page(0)))
    figure('page 50 in the middle (offset rows/2)', await timed(() => page(rows / 2)))
    figure('page 50 at the end (offset rows-50)', await timed(() => page(rows - 50)))
    figure('search, distinctive text: page', await timed(() => page(0, { search: DISTINCTIVE })))
    figure('search, distinctive text: count', await timed(() => q({ search: DISTINCTIVE })))
    figure('search, 1 in 5 match: page', await timed(() => page(0, { search: 'timed out' })))
    figure('search, 1 in 5 match: count', await timed(() => q({ search: 'timed out' })))
    const window = { from: START + rows * 400, to: START + rows * 500 }
    const filters: [string, DeadLetterFilter][] = [
      ['reason', { reason: 'expired' }],
      ['errorName', { errorName: 'ValidationError' }],
      ['originalQueue', { originalQueue: 'crm' }],
      ['routingKey', { routingKey: 'shipping.label' }],
      ['group', { group: KIND_FINGERPRINTS[0] }],
      ['from/to (10% window)', window],
    ]
    for (const [name, filter] of filters) {
      figure(`filter ${name}: page`, await timed(() => page(0, filter)))
      figure(`filter ${name}: count`, await timed(() => q(filter)))
    }
    figure('groups', await timed(() => store.groups(BENCH_VHOST, BENCH_QUEUE)))
    figure('summaries', await timed(() => store.summaries()))
    const snapshotStarted = performance.now()
    const bulk = await store.createBulk({
      id: `bench-${kind}-${rows}`,
      action: 'requeue',
      vhost: BENCH_VHOST,
      queue: BENCH_QUEUE,
      target: null,
      selection: { filter: { group: KIND_FINGERPRINTS[0] } },
      rate: null,
      status: 'pending',
      actor: 'bench',
      owner: null,
      leaseUntil: 0,
      createdAt: Date.now(),
      updatedAt: Date.now(),
      finishedAt: null,
      error: null,
    })
    if (!bulk.ok || bulk.total !== rows / 5) throw new Error('the snapshot is not one group')
    figure('createBulk, snapshot of one group (1 in 5)', performance.now() - snapshotStarted)
    peakRss = Math.max(peakRss, process.memoryUsage().rss)
    figure('on disk', (await opened.size()) / 2 ** 20, 'MiB')
    figure('process RSS, peak', peakRss / 2 ** 20, 'MiB')
  } finally {
    await store.close()
    await opened.drop()
  }
  return figures
}

/**
 * Every store at every size, one after the other in this process; prints a markdown table and
 * writes `reports/store-bench.json`.
 */
export async function storeReport(
  kinds: StoreKind[],
  sizes: number[],
  log: (message: string) => void,
): Promise<StoreFigure[]> {
  const figures: StoreFigure[] = []
  for (const rows of sizes) {
    for (const kind of kinds) figures.push(...(await benchStore(kind, rows, log)))
  }
  const columns = sizes.flatMap((rows) => kinds.map((kind) => ({ kind, rows })))
  const measures = [...new Set(figures.map((f) => `${f.measure}|${f.unit}`))]
  console.log(`\n## Dead-letter store (${new Date().toISOString()}, Node ${process.version})\n`)
  console.log(
    `| measure | unit | ${columns.map((c) => `${c.kind} ${c.rows.toLocaleString('en')}`).join(' | ')} |`,
  )
  console.log(`|---|---|${columns.map(() => '---:').join('|')}|`)
  for (const key of measures) {
    const [measure, unit] = key.split('|') as [string, string]
    const cells = columns.map(({ kind, rows }) => {
      const found = figures.find(
        (f) => f.store === kind && f.rows === rows && f.measure === measure && f.unit === unit,
      )
      return found ? found.value.toLocaleString('en') : ''
    })
    console.log(`| ${measure} | ${unit} | ${cells.join(' | ')} |`)
  }
  return figures
}
