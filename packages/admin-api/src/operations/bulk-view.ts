import type { BulkRecord } from '../store/types.js'
import type { BulkOperationView } from './bulk-schemas.js'

/** What only the instance running an operation knows of it. */
export interface LocalProgress {
  measuredRate: number | null
  possibleDuplicates: number
}

const iso = (ms: number) => new Date(ms).toISOString()

/**
 * The console's view of a bulk operation. The instance running it measures its rate; any other
 * instance (or a poll after a restart) estimates it from the record: handled over time elapsed.
 */
export function toBulkView(
  record: BulkRecord,
  local: LocalProgress | undefined,
): BulkOperationView {
  const handled = record.done + record.failed
  const active = record.status === 'running' || record.status === 'pending'
  const elapsed = (record.updatedAt - record.createdAt) / 1000
  const estimated = active && handled > 0 && elapsed > 0 ? handled / elapsed : null
  const measuredRate = active ? (local?.measuredRate ?? estimated) : null
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
    failures: record.failures.map(({ seq, reason }) => ({ id: String(seq), reason })),
    rate: record.rate,
    measuredRate: measuredRate === null ? null : Math.round(measuredRate * 10) / 10,
    etaSeconds: active ? (left === 0 ? 0 : etaSeconds) : null,
    possibleDuplicates: local?.possibleDuplicates ?? 0,
    actor: record.actor,
    createdAt: iso(record.createdAt),
    updatedAt: iso(record.updatedAt),
    finishedAt: record.finishedAt === null ? null : iso(record.finishedAt),
    error: record.error,
  }
}
