import type { Actor } from '../context.js'

export type AuditAction =
  'login' | 'logout' | 'requeue' | 'delete' | 'purge' | 'restore' | 'move' | 'retry'
export type AuditOutcome = 'success' | 'partial' | 'failure'

export interface AuditEntry {
  id: string
  at: string
  actor: Actor
  action: AuditAction
  /** What was acted on, e.g. `/%2F/billing.charge.dlq` (vhost and queue) or `session`. */
  target: string
  /** Figures of the operation, e.g. `{ requeued: 3, notFound: 0, failed: 0 }`. */
  counts: Record<string, number>
  outcome: AuditOutcome
  detail?: string
}

/** Where routes record what operators did; the audit module provides the durable implementation. */
export interface AuditRecorder {
  record(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<void>
}
