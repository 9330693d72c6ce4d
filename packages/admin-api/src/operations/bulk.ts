import { randomUUID } from 'node:crypto'
import type { AuditRecorder } from '../audit/types.js'
import type { Actor } from '../context.js'
import { auditTarget } from '../dead-letters/services.js'
import { ApiError } from '../errors.js'
import type { Logger } from '../security/logger.js'
import type { BulkAction, BulkRecord, DeadLetterStore, Selection } from '../store/types.js'
import type { BulkDryRun, BulkOperationView } from './bulk-schemas.js'
import { dryRun, finishEntry } from './bulk-report.js'
import { toBulkView } from './bulk-view.js'
import { handleBatch } from './bulk-batch.js'
import type { CopyPublisher } from './copy-publisher.js'
import { RateMeter, systemClock, TokenBucket, type Clock } from './pacing.js'

export interface BulkRunnerOptions {
  store: DeadLetterStore
  publisher: CopyPublisher
  /** Where each operation's start and finish are recorded. */
  audit: AuditRecorder
  /** @default Date.now */
  now?: () => number
  /** @default undefined (nothing logged) */
  log?: Logger | undefined
  /**
   * Most messages taken, sent and settled together. At most this many are sent twice when an
   * admin API stops between the broker's confirms and the store's commit.
   * @default 100
   */
  batchSize?: number
  /**
   * How long `close` waits for the batches in flight before it lets them go.
   * @default 10000
   */
  closeTimeoutMs?: number
}

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
  /** Continues the running and pending operations a stopped admin API left; paused stay paused. */
  resumeUnfinished(): Promise<number>
  /** Stops every operation of this instance after its batch in flight; they stay `running`. */
  close(): Promise<void>
}

/** An operation this instance runs. */
interface Run {
  stop: 'pause' | 'cancel' | 'close' | null
  wake: AbortController
  bucket: TokenBucket
  meter: RateMeter
  finished: Promise<void>
}

const UNFINISHED = ['pending', 'running', 'paused'] as const

function withDefaults(options: BulkRunnerOptions) {
  return {
    ...options,
    now: options.now ?? Date.now,
    batchSize: options.batchSize ?? 100,
    closeTimeoutMs: options.closeTimeoutMs ?? 10_000,
  }
}

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
  const { store, publisher, audit, log, now, batchSize, closeTimeoutMs } = withDefaults(options)
  const clock: Clock = { now, sleep: systemClock.sleep }
  const runs = new Map<string, Run>()
  const duplicates = new Map<string, number>()
  let closed = false

  const view = (record: BulkRecord) => {
    const run = runs.get(record.id)
    return toBulkView(record, {
      measuredRate: run?.meter.rate() ?? null,
      possibleDuplicates: duplicates.get(record.id) ?? 0,
    })
  }

  const load = async (id: string) => {
    const record = await store.getBulk(id)
    if (!record) throw new ApiError(404, 'operation-not-found', 'Operation not found', id)
    return record
  }

  const recordFinish = (record: BulkRecord) =>
    audit.record(finishEntry(record, duplicates.get(record.id) ?? 0))

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

  const loop = async (id: string, run: Run, resumed: boolean) => {
    let first = resumed
    for (;;) {
      if (run.stop !== null) return
      const record = await store.getBulk(id)
      // Paused or cancelled by another instance, or finished.
      if (!record || record.status !== 'running') return
      const size =
        record.rate === null
          ? batchSize
          : Math.min(batchSize, Math.max(1, Math.floor(record.rate / 4)))
      if (!(await run.bucket.take(size, run.wake.signal))) {
        run.wake = new AbortController()
        continue
      }
      const items = await store.nextBulkItems(id, size)
      if (items.length === 0) return finish(id, null)
      // The first batch after a restart may have been sent before the stop and not recorded.
      if (first && record.action !== 'delete') duplicates.set(id, items.length)
      first = false
      await handleBatch({ store, publisher, record, items, at: new Date(now()).toISOString() })
      run.meter.record(record.done + record.failed + items.length)
    }
  }

  const launch = (record: BulkRecord, resumed: boolean) => {
    const run: Run = {
      stop: null,
      wake: new AbortController(),
      bucket: new TokenBucket(record.rate, clock),
      meter: new RateMeter(clock),
      finished: Promise.resolve(),
    }
    runs.set(record.id, run)
    run.finished = loop(record.id, run, resumed)
      .catch(async (error: unknown) => {
        const text = error instanceof Error ? error.message : String(error)
        log?.error('bulk operation failed', { id: record.id, error: text })
        if (run.stop === null) await finish(record.id, text).catch(() => {})
      })
      .finally(() => {
        if (runs.get(record.id) === run) runs.delete(record.id)
      })
  }

  const halt = async (id: string, stop: Run['stop']) => {
    const run = runs.get(id)
    if (!run) return
    run.stop = stop
    run.wake.abort()
    await run.finished
  }

  /** 409 unless the operation is in one of the `allowed` states. */
  const expect = (record: BulkRecord, allowed: readonly string[], code: string) => {
    if (!allowed.includes(record.status)) {
      throw new ApiError(
        409,
        code,
        `Operation is ${record.status}`,
        `Operation ${record.id} is ${record.status}`,
      )
    }
  }

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
      expect(await load(id), ['running', 'pending'], 'operation-not-running')
      await store.updateBulk(id, { status: 'paused' })
      await halt(id, 'pause')
      return view(await load(id))
    },

    async resume(id) {
      expect(await load(id), ['paused'], 'operation-not-paused')
      await halt(id, 'pause')
      const record = await store.updateBulk(id, { status: 'running' })
      if (!record) throw new ApiError(404, 'operation-not-found', 'Operation not found', id)
      launch(record, false)
      return view(record)
    },

    async cancel(id) {
      expect(await load(id), UNFINISHED, 'operation-finished')
      await store.updateBulk(id, { status: 'cancelled', finishedAt: now() })
      await halt(id, 'cancel')
      const record = await load(id)
      await recordFinish(record)
      return view(record)
    },

    async setRate(id, rate) {
      expect(await load(id), UNFINISHED, 'operation-finished')
      const record = await store.updateBulk(id, { rate })
      const run = runs.get(id)
      if (run) {
        run.bucket.setRate(rate)
        run.wake.abort()
      }
      return view(record ?? (await load(id)))
    },

    async resumeUnfinished() {
      let resumed = 0
      for (const record of await store.unfinishedBulks()) {
        if (record.status === 'paused' || runs.has(record.id)) continue
        const running =
          record.status === 'pending'
            ? await store.updateBulk(record.id, { status: 'running' })
            : record
        if (!running) continue
        log?.info('bulk operation resumed', {
          id: record.id,
          done: record.done,
          total: record.total,
        })
        launch(running, true)
        resumed += 1
      }
      return resumed
    },

    async close() {
      closed = true
      const timeout = closeTimeoutMs
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeout)))
      await Promise.race([Promise.all([...runs.keys()].map((id) => halt(id, 'close'))), late])
      clearTimeout(timer)
    },
  }
}
