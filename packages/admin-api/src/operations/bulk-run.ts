// One bulk operation's run on this instance: batch after batch, paced, until it is done, stopped
// here, or changed on any instance (paused, cancelled, taken over by another): the store's record
// is read again right before each batch.
import type { DeadLetterStore } from '../store/types.js'
import { handleBatch } from './bulk-batch.js'
import type { CopyPublisher } from './copy-publisher.js'
import { RateMeter, TokenBucket, type Clock } from './pacing.js'

/** An operation this instance runs. */
export interface Run {
  /** `lost`: another instance took the operation over. */
  stop: 'pause' | 'cancel' | 'close' | 'lost' | null
  /** The rate the bucket runs at, to follow a change made on another instance. */
  rate: number | null
  wake: AbortController
  bucket: TokenBucket
  meter: RateMeter
  finished: Promise<void>
}

export function newRun(rate: number | null, clock: Clock): Run {
  return {
    stop: null,
    rate,
    wake: new AbortController(),
    bucket: new TokenBucket(rate, clock),
    meter: new RateMeter(clock),
    finished: Promise.resolve(),
  }
}

export interface RunContext {
  store: DeadLetterStore
  publisher: CopyPublisher
  batchSize: number
  /** This instance's id: a record owned by another is no longer this run's. */
  owner: string
  now: () => number
  /** Marks the operation finished (failed with `error`, else succeeded). */
  finish(id: string, error: string | null): Promise<void>
}

export async function runBatches(context: RunContext, id: string, run: Run, resumed: boolean) {
  const { store, publisher, batchSize, owner, now, finish } = context
  let first = resumed
  for (;;) {
    if (run.stop !== null) return
    const size =
      run.rate === null ? batchSize : Math.min(batchSize, Math.max(1, Math.floor(run.rate / 4)))
    if (!(await run.bucket.take(size, run.wake.signal))) {
      run.wake = new AbortController()
      continue
    }
    // Read after the wait, right before the batch: paused or cancelled on any instance,
    // taken over by another, or finished.
    const record = await store.getBulk(id)
    if (run.stop !== null || !record || record.status !== 'running') return
    if (record.owner !== owner) return
    if (record.rate !== run.rate) {
      run.rate = record.rate
      run.bucket.setRate(record.rate)
    }
    const items = await store.nextBulkItems(id, size)
    if (items.length === 0) return finish(id, null)
    // The first batch after a restart may have been sent before the stop and not recorded.
    const possibleDuplicates = first && record.action !== 'delete' ? items.length : 0
    first = false
    const progress = { measuredRate: run.meter.rate(), possibleDuplicates }
    const at = new Date(now()).toISOString()
    await handleBatch({ store, publisher, record, items, at, progress })
    run.meter.record(record.done + record.failed + record.skipped + items.length)
  }
}
