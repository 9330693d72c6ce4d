import type { Archive } from '../archive/stream.js'
import type { AuditAction, AuditOutcome, AuditRecorder } from '../audit/types.js'
import type { Actor } from '../context.js'
import { ApiError } from '../errors.js'
import type { QueueLocks } from '../operations/locks.js'
import type { OperationRegistry } from '../operations/registry.js'
import type { AmqpPool } from '../rabbit/amqp.js'
import type { DeadLetterAges } from './head.js'
import type { QueueReader } from './reader.js'

/** What the dead-letter and archive operations work with; one set per module instance. */
export interface DeadLetterServices {
  pool: AmqpPool
  /** Reads only dead-letter queues, and only in a way that costs their messages nothing. */
  reader: QueueReader
  ages: DeadLetterAges
  archive: Archive
  locks: QueueLocks
  operations: OperationRegistry
  audit: AuditRecorder
}

/** The audit target of a queue, e.g. `/%2F/billing.charge.dlq`. */
export function auditTarget(vhost: string, queue: string): string {
  return `/${encodeURIComponent(vhost)}/${encodeURIComponent(queue)}`
}

/** How an operation went, for the audit log. */
export function outcomeOf(done: number, problems: number): AuditOutcome {
  return problems === 0 ? 'success' : done > 0 ? 'partial' : 'failure'
}

/**
 * Runs `work` and records it in the audit log, also when it fails: an operator's attempt to
 * remove messages is worth a line even when the broker said no.
 */
export async function audited<T>(
  services: DeadLetterServices,
  entry: { actor: Actor; action: AuditAction; vhost: string; queue: string },
  work: () => Promise<T>,
  summarize: (result: T) => { counts: Record<string, number>; outcome: AuditOutcome },
): Promise<T> {
  const base = {
    actor: entry.actor,
    action: entry.action,
    target: auditTarget(entry.vhost, entry.queue),
  }
  let result: T
  try {
    result = await work()
  } catch (error) {
    await services.audit.record({
      ...base,
      counts: {},
      outcome: 'failure',
      detail: error instanceof ApiError ? error.message : 'internal error',
    })
    throw error
  }
  await services.audit.record({ ...base, ...summarize(result) })
  return result
}
