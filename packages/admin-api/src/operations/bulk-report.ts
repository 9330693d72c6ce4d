import type { AuditEntry } from '../audit/types.js'
import { auditTarget, outcomeOf } from '../dead-letters/services.js'
import type { BulkRecord, DeadLetterStore } from '../store/types.js'
import type { BulkStart } from './bulk.js'
import type { BulkDryRun } from './bulk-schemas.js'

const DRY_RUN_PAGE = 1000

/**
 * What a bulk operation would take now: the held messages its selection matches and, for a
 * requeue, how many go to each queue. Reads the selection page by page; changes nothing.
 */
export async function dryRun(store: DeadLetterStore, request: BulkStart): Promise<BulkDryRun> {
  const { vhost, queue, selection } = request
  if (request.action !== 'requeue' && 'filter' in selection) {
    return { matched: await store.count(vhost, queue, selection.filter) }
  }
  const targets: Record<string, number> = {}
  let matched = 0
  for (let after = 0; ;) {
    const page = await store.scan(vhost, queue, selection, after, DRY_RUN_PAGE)
    for (const row of page) {
      const target = request.target ?? row.originalQueue ?? '(none)'
      targets[target] = (targets[target] ?? 0) + 1
    }
    matched += page.length
    const last = page.at(-1)
    if (!last || page.length < DRY_RUN_PAGE) break
    after = last.seq
  }
  return request.action === 'requeue' ? { matched, targets } : { matched }
}

/** The audit entry of an operation that ended (succeeded, failed or cancelled). */
export function finishEntry(record: BulkRecord): Omit<AuditEntry, 'id' | 'at'> {
  const error = record.error ? `: ${record.error}` : ''
  return {
    actor: { name: record.actor, role: 'operator' },
    action: record.action,
    target: auditTarget(record.vhost, record.queue),
    counts: {
      total: record.total,
      done: record.done,
      failed: record.failed,
      skipped: record.skipped,
      possibleDuplicates: record.possibleDuplicates,
    },
    outcome: record.status === 'failed' ? 'failure' : outcomeOf(record.done, record.failed),
    detail: `bulk ${record.action} ${record.id} ${record.status}${error}`,
  }
}
