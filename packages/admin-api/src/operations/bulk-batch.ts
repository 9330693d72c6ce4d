import { copyOf } from '../dead-letters/stored-message.js'
import type { Republish } from '../dead-letters/scan.js'
import { describeOutcome } from '../rabbit/amqp-publisher.js'
import type {
  BulkProgress,
  BulkRecord,
  DeadLetterStore,
  StoredDeadLetter,
  StoredState,
} from '../store/types.js'
import type { CopyPublisher } from './copy-publisher.js'

/** The state each action leaves a message in; the store's `archived` is the archive. */
const SETTLED: Record<BulkRecord['action'], StoredState> = {
  requeue: 'requeued',
  move: 'moved',
  delete: 'archived',
}

export interface Batch {
  store: DeadLetterStore
  publisher: CopyPublisher
  record: BulkRecord
  items: StoredDeadLetter[]
  /** When the batch runs (ISO 8601), for `warren-requeued-at`. */
  at: string
  /** Saved with the batch's outcomes, for every instance to show. */
  progress: BulkProgress
}

/**
 * One batch of a bulk operation: each copy sent and confirmed first, then every outcome committed
 * in one transaction. A message the broker did not take (unroutable, nacked, no queue to go to)
 * is a failure: it stays held, with its reason.
 */
export async function handleBatch(batch: Batch): Promise<void> {
  const { store, record, items, progress } = batch
  if (record.action === 'delete') {
    const seqs = items.map((row) => row.seq)
    await store.settleBulkItems(record.id, seqs, 'archived', [], record.actor, progress)
    return
  }
  const failures: { seq: number; reason: string }[] = []
  const sent: { seq: number; copy: Republish }[] = []
  for (const row of items) {
    const plan = copyOf(row, {
      target: record.target,
      mode: record.action === 'requeue' ? 'requeue' : 'move',
      at: batch.at,
    })
    if (plan.ok) sent.push({ seq: row.seq, copy: plan.copy })
    else failures.push({ seq: row.seq, reason: plan.reason })
  }
  const outcomes =
    sent.length === 0
      ? []
      : await batch.publisher.publish(
          record.vhost,
          sent.map(({ copy }) => copy),
        )
  const done: number[] = []
  sent.forEach(({ seq, copy }, index) => {
    const outcome = outcomes[index] ?? 'nacked'
    if (outcome === 'confirmed') done.push(seq)
    else failures.push({ seq, reason: describeOutcome(outcome, copy.routingKey) })
  })
  const state = SETTLED[record.action]
  await store.settleBulkItems(record.id, done, state, failures, record.actor, progress)
}
