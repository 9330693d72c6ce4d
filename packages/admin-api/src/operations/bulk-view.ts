import type { BulkRecord } from '../store/types.js'
import type { BulkOperationView } from './bulk-schemas.js'

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * The console's view of a bulk operation. `measuredRate`: the running instance's meter, or the
 * rate it saved with its last batch; without either (a first batch, an older record), estimated
 * from the record: handled over time elapsed.
 */
export function toBulkView(record: BulkRecord, measured: number | null): BulkOperationView {
  const handled = record.done + record.failed + record.skipped
  const active = record.status === 'running' || record.status === 'pending'
  const elapsed = (record.updatedAt - record.createdAt) / 1000
  const estimated = active && handled > 0 && elapsed > 0 ? handled / elapsed : null
  const measuredRate = active ? (measured ?? estimated) : null
  const pace = measuredRate ?? (active ? record.rate : null)
  const left = Math.max(record.total - handled, 0)
  const etaSeconds = pace !== null && pace > 0 ? Math.ceil(left / pace) : null
  return {
    id: record.id,
    action: record.action,
    vhost: record.vhost,
    queue: record.queue,
    target: record.target,
    status: record.status,
    total: record.total,
    done: record.done,
    failed: record.failed,
    skipped: record.skipped,
    failures: record.failures.map(({ seq, reason }) => ({ id: String(seq), reason })),
    rate: record.rate,
    measuredRate: measuredRate === null ? null : Math.round(measuredRate * 10) / 10,
    etaSeconds: active ? (left === 0 ? 0 : etaSeconds) : null,
    possibleDuplicates: record.possibleDuplicates,
    actor: record.actor,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
    finishedAt: record.finishedAt === null ? null : iso(record.finishedAt),
    error: record.error,
  }
}
