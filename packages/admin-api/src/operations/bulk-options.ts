import type { AuditRecorder } from '../audit/types.js'
import type { Logger } from '../security/logger.js'
import type { DeadLetterStore } from '../store/types.js'
import type { CopyPublisher } from './copy-publisher.js'

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
  /**
   * How long an instance's claim on an operation holds without a renewal: after an instance is
   * killed, another takes its operations over this long after its last renewal.
   * @default 15000
   */
  leaseMs?: number
  /**
   * How often the running instance renews its leases and, after `resumeUnfinished`, looks for
   * operations whose lease ran out.
   * @default 5000
   */
  renewMs?: number
}

/** The options with every default applied. */
export function withDefaults(options: BulkRunnerOptions) {
  return {
    ...options,
    now: options.now ?? Date.now,
    batchSize: options.batchSize ?? 100,
    closeTimeoutMs: options.closeTimeoutMs ?? 10_000,
    leaseMs: options.leaseMs ?? 15_000,
    renewMs: options.renewMs ?? 5_000,
  }
}
