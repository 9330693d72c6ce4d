// The admin API as `--only dead-letters` sees it: a process of its own (the test kit's), timed
// through HTTP, its memory read from /proc/<pid>/status.
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import type { BrowseResult, BulkOperationView } from '@warren/admin-api'
import { sleep, type AdminApiProcess } from '@warren/test-kit'
import { summarize } from '../stats.js'

/** Each read runs this often; its figure is the median. */
const REPS = 3

/** The process's resident memory now (VmRSS) and at its peak so far (VmHWM), in MiB. */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kib = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1])
  return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 }
}

/** A GET answered 200, its JSON body read. */
export async function getJson<T>(api: AdminApiProcess, path: string): Promise<T> {
  const response = await api.request(path)
  const body = (await response.json()) as T
  if (response.status !== 200) {
    throw new Error(`GET ${path} answered ${response.status}: ${JSON.stringify(body)}`)
  }
  return body
}

/** The median time (ms) of `REPS` GETs of `path`, and the last answer. */
export async function timedGet<T>(
  api: AdminApiProcess,
  path: string,
): Promise<{ ms: number; body: T }> {
  const times: number[] = []
  let body: T | undefined
  for (let rep = 0; rep < REPS; rep++) {
    const started = performance.now()
    body = await getJson<T>(api, path)
    times.push(performance.now() - started)
  }
  return { ms: summarize(times).median, body: body as T }
}

/**
 * Polls the store's count (`messages?limit=1`) until it holds `total`; the rate is counted from
 * the first poll, so the admin API's start-up is not in it. Fails once RabbitMQ has nothing left
 * for a while and the store is still short: another consumer took the rest.
 */
export async function waitForIntake(
  api: AdminApiProcess,
  path: string,
  total: number,
): Promise<{ seconds: number; rate: number }> {
  const read = async () => (await getJson<BrowseResult>(api, `${path}/messages?limit=1`)).reading
  const from = (await read()).held ?? 0
  const started = performance.now()
  let emptySince: number | undefined
  for (let held = from; held < total;) {
    // Each poll counts the store's rows: often enough for the rate, not so often it slows it.
    await sleep(500)
    const reading = await read()
    held = reading.held ?? 0
    emptySince = reading.inBroker === 0 ? (emptySince ?? Date.now()) : undefined
    if (held < total && emptySince !== undefined && Date.now() - emptySince > 10_000) {
      throw new Error(
        `intake: the DLQ is empty but the store holds ${held} of ${total}; another consumer ` +
          '(an admin API watching every vhost?) took the rest',
      )
    }
  }
  const seconds = (performance.now() - started) / 1000
  return { seconds, rate: (total - from) / seconds }
}

/**
 * Requeues a failure group through the bulk route, unpaced, and waits until it succeeded; the
 * time runs from the request to the first poll that sees it done.
 */
export async function requeueGroup(
  api: AdminApiProcess,
  path: string,
  group: string,
): Promise<{ seconds: number; rate: number; total: number }> {
  const started = performance.now()
  const response = await api.request(`${path}/operations`, {
    method: 'POST',
    body: { action: 'requeue', selection: { filter: { group } } },
  })
  let operation = (await response.json()) as BulkOperationView
  if (response.status !== 202) {
    throw new Error(`the requeue answered ${response.status}: ${JSON.stringify(operation)}`)
  }
  while (operation.status === 'pending' || operation.status === 'running') {
    await sleep(100)
    operation = await getJson<BulkOperationView>(api, `/api/bulk-operations/${operation.id}`)
  }
  if (operation.status !== 'succeeded' || operation.failed > 0) {
    throw new Error(`the requeue ended ${operation.status}: ${JSON.stringify(operation)}`)
  }
  const seconds = (performance.now() - started) / 1000
  return { seconds, rate: operation.done / seconds, total: operation.done }
}
