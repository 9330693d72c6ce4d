import { randomUUID } from 'node:crypto'
import type { Actor } from '../context.js'
import { auditTarget } from '../dead-letters/services.js'
import { ApiError } from '../errors.js'
import type { BulkAction, BulkRecord, Selection } from '../store/types.js'
import type { BulkDryRun, BulkOperationView } from './bulk-schemas.js'
import { dryRun, finishEntry } from './bulk-report.js'
import { toBulkView } from './bulk-view.js'
import { LeaseKeeper } from './bulk-lease.js'
import { withDefaults, type BulkRunnerOptions } from './bulk-options.js'
import { newRun, runBatches, type Run } from './bulk-run.js'
import { systemClock, type Clock } from './pacing.js'

export type { BulkRunnerOptions } from './bulk-options.js'

export interface BulkStart {
  action: BulkAction
  vhost: string
  queue: string
  selection: Selection
  /** `move`: where to; `requeue`: instead of each original queue. */
  target: string | null
  /** Messages per second; null: unpaced. */
  rate: number | null
  actor: Actor
  dryRun: boolean
}

export type BulkStarted =
  { dryRun: true; result: BulkDryRun } | { dryRun: false; operation: BulkOperationView }

export interface BulkRunner {
  start(request: BulkStart): Promise<BulkStarted>
  get(id: string): Promise<BulkOperationView | null>
  list(vhost: string, queue: string, limit?: number): Promise<BulkOperationView[]>
  pause(id: string): Promise<BulkOperationView>
  resume(id: string): Promise<BulkOperationView>
  cancel(id: string): Promise<BulkOperationView>
  setRate(id: string, rate: number | null): Promise<BulkOperationView>
  /**
   * Continues the running and pending operations no live instance holds (their lease released
   * or run out); paused stay paused. From then on, takes over those whose owner stops renewing.
   */
  resumeUnfinished(): Promise<number>
  /**
   * Stops every operation of this instance after its batch in flight; they stay `running`, their
   * leases released for another instance to take at once. A batch still in flight after
   * `closeTimeoutMs` keeps its lease, which runs out as a killed instance's would.
   */
  close(): Promise<void>
}

const UNFINISHED = ['pending', 'running', 'paused'] as const

/**
 * Bulk requeue, move and delete of stored dead letters, paced, pausable and resumable across
 * restarts: the store keeps each operation, its snapshot and its progress, so any instance
 * answers a poll, and a restarted one continues where the last committed batch ended.
 *
 * @example
 * const runner = createBulkRunner({ store, publisher: amqpCopyPublisher(pool), audit })
 * await runner.resumeUnfinished()
 * const started = await runner.start({ action: 'requeue', vhost: '/', queue: 'orders.dlq',
 *   selection: { filter: { group } }, target: null, rate: 500, actor, dryRun: false })
 */
export function createBulkRunner(options: BulkRunnerOptions): BulkRunner {
  const { store, publisher, audit, log, now, batchSize, closeTimeoutMs, leaseMs, renewMs } =
    withDefaults(options)
  const clock: Clock = { now, sleep: systemClock.sleep }
  const runs = new Map<string, Run>()
  let closed = false

  const view = (record: BulkRecord) =>
    toBulkView(record, runs.get(record.id)?.meter.rate() ?? record.measuredRate)

  const load = async (id: string) => {
    const record = await store.getBulk(id)
    if (!record) throw new ApiError(404, 'operation-not-found', 'Operation not found', id)
    return record
  }

  const recordFinish = (record: BulkRecord) => audit.record(finishEntry(record))

  const finish = async (id: string, error: string | null) => {
    const record = await load(id)
    if (record.status !== 'running') return
    const failedAll = error !== null || (record.done === 0 && record.failed > 0)
    const finished = await store.updateBulk(id, {
      status: failedAll ? 'failed' : 'succeeded',
      finishedAt: now(),
      error:
        error ??
        (failedAll ? `no message could be sent: ${record.failures[0]?.reason ?? ''}` : null),
    })
    if (finished) await recordFinish(finished)
  }

  /** After a run: the lease goes, unless the operation was resumed for it meanwhile. */
  const letGo = async (id: string, run: Run) => {
    if (run.stop === 'lost') return
    await leases.release(id)
    if (run.stop !== null || closed) return
    // Resumed on another instance while this run wound down, holding the lease: it is this one's.
    const again = await leases.claim(id, ['running'])
    if (again) launch(again, false)
  }

  const launch = (record: BulkRecord, resumed: boolean) => {
    const run = newRun(record.rate, clock)
    runs.set(record.id, run)
    leases.sync()
    run.finished = runBatches(context, record.id, run, resumed)
      .catch(async (error: unknown) => {
        const text = error instanceof Error ? error.message : String(error)
        log?.error('bulk operation failed', { id: record.id, error: text })
        if (run.stop === null) await finish(record.id, text).catch(() => {})
      })
      .then(() => letGo(record.id, run))
      .catch((error: unknown) => {
        const text = error instanceof Error ? error.message : String(error)
        log?.error('bulk operation lease not released', { id: record.id, error: text })
      })
      .finally(() => {
        if (runs.get(record.id) === run) runs.delete(record.id)
        leases.sync()
      })
  }

  const halt = async (id: string, stop: Run['stop']) => {
    const run = runs.get(id)
    if (!run) return
    run.stop = stop
    run.wake.abort()
    await run.finished
  }

  const takeFree = async () => {
    let resumed = 0
    for (const record of await store.unfinishedBulks()) {
      if (closed || record.status === 'paused' || runs.has(record.id)) continue
      if (record.owner !== leases.owner && record.leaseUntil > now()) continue
      const running = await leases.claim(record.id, ['pending', 'running'], 'running')
      if (!running) continue
      log?.info('bulk operation resumed', { id: record.id, done: record.done, total: record.total })
      launch(running, true)
      resumed += 1
    }
    return resumed
  }

  const leases = new LeaseKeeper({
    store,
    now,
    leaseMs,
    renewMs,
    log,
    held: () => [...runs.keys()],
    lost: (id) => {
      const run = runs.get(id)
      if (!run) return
      log?.error('bulk operation taken over by another instance', { id })
      run.stop = 'lost'
      run.wake.abort()
    },
    sweep: takeFree,
  })
  const context = { store, publisher, batchSize, now, finish, owner: leases.owner }

  return {
    async start(request) {
      if (closed) throw new ApiError(503, 'shutting-down', 'The admin API is shutting down')
      if (request.dryRun) return { dryRun: true, result: await dryRun(store, request) }
      const id = randomUUID()
      const at = now()
      const created = await store.createBulk({
        id,
        action: request.action,
        vhost: request.vhost,
        queue: request.queue,
        target: request.target,
        selection: request.selection,
        rate: request.rate,
        status: 'running',
        actor: request.actor.name,
        createdAt: at,
        updatedAt: at,
        finishedAt: null,
        error: null,
        owner: leases.owner,
        leaseUntil: leases.until(),
      })
      if (!created.ok) {
        throw new ApiError(
          409,
          'operation-in-progress',
          'Another operation is running on this queue',
          `Operation ${created.locked.id} (${created.locked.action}, ${created.locked.status}) holds ${request.queue} in vhost ${request.vhost}`,
        )
      }
      const record = await load(id)
      await audit.record({
        actor: request.actor,
        action: request.action,
        target: auditTarget(request.vhost, request.queue),
        counts: { total: created.total },
        outcome: 'success',
        detail: `bulk ${request.action} ${id} started${request.rate === null ? '' : ` at ${request.rate}/s`}`,
      })
      launch(record, false)
      return { dryRun: false, operation: view(record) }
    },

    async get(id) {
      const record = await store.getBulk(id)
      return record && view(record)
    },

    async list(vhost, queue, limit = 20) {
      return (await store.listBulks(vhost, queue, limit)).map(view)
    },

    async pause(id) {
      expectStatus(await load(id), ['running', 'pending'], 'operation-not-running')
      await store.updateBulk(id, { status: 'paused' })
      await halt(id, 'pause')
      return view(await load(id))
    },

    async resume(id) {
      expectStatus(await load(id), ['paused'], 'operation-not-paused')
      await halt(id, 'pause')
      const claimed = await leases.claim(id, ['paused'], 'running')
      if (claimed) {
        launch(claimed, false)
        return view(claimed)
      }
      // Its owner (paused on another instance) still winds down its last batch: running again,
      // the owner goes on, or, if it let go meanwhile, this instance takes it.
      expectStatus(await load(id), ['paused'], 'operation-not-paused')
      await store.updateBulk(id, { status: 'running' })
      const taken = await leases.claim(id, ['running'])
      if (taken) launch(taken, false)
      return view(taken ?? (await load(id)))
    },

    async cancel(id) {
      expectStatus(await load(id), UNFINISHED, 'operation-finished')
      await store.updateBulk(id, { status: 'cancelled', finishedAt: now() })
      await halt(id, 'cancel')
      const record = await load(id)
      await recordFinish(record)
      return view(record)
    },

    async setRate(id, rate) {
      expectStatus(await load(id), UNFINISHED, 'operation-finished')
      const record = await store.updateBulk(id, { rate })
      const run = runs.get(id)
      if (run) {
        run.rate = rate
        run.bucket.setRate(rate)
        run.wake.abort()
      }
      return view(record ?? (await load(id)))
    },

    async resumeUnfinished() {
      const resumed = await takeFree()
      if (!closed) leases.watch()
      return resumed
    },

    async close() {
      closed = true
      leases.stop()
      const timeout = closeTimeoutMs
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeout)))
      await Promise.race([Promise.all([...runs.keys()].map((id) => halt(id, 'close'))), late])
      clearTimeout(timer)
    },
  }
}

/** 409 unless the operation is in one of the `allowed` states. */
function expectStatus(record: BulkRecord, allowed: readonly string[], code: string) {
  if (!allowed.includes(record.status)) {
    throw new ApiError(
      409,
      code,
      `Operation is ${record.status}`,
      `Operation ${record.id} is ${record.status}`,
    )
  }
}
