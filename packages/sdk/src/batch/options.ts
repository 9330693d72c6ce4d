import { toMs, type Duration } from '../duration.js'
import { WarrenError } from '../errors.js'
import type { IdempotencyStore } from '../idempotency/store.js'
import type { ConsumeOptions } from '../options.js'

/** Options of a batch consumer. */
export interface BatchConsumeOptions {
  /** Most messages per batch. @default 100 */
  size?: number
  /** How long a batch waits for more messages after its first arrived. @default '200ms' */
  wait?: Duration
  /** Batches handled at once. @default 1 */
  concurrency?: number
  /** Deliveries the broker sends ahead of acks; at least `size`. @default size * concurrency */
  prefetch?: number
  /** A batch handler still running after this long fails every message of the batch. @default '30s' */
  timeout?: Duration
  /** Each message at most once per messageId within `ttl`, as in `consume`. @default none */
  idempotency?: { store: IdempotencyStore; ttl?: Duration }
}

export interface ResolvedBatchOptions {
  size: number
  waitMs: number
  timeoutMs: number
  /** What the underlying per-message consumer runs with. */
  consume: ConsumeOptions
}

export function resolveBatchOptions(options: BatchConsumeOptions = {}): ResolvedBatchOptions {
  const size = options.size ?? 100
  const concurrency = options.concurrency ?? 1
  if (!Number.isInteger(size) || size < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
    throw new WarrenError('INVALID_OPTIONS', 'batch size and concurrency must be integers >= 1')
  }
  const prefetch = options.prefetch ?? size * concurrency
  if (prefetch < size) {
    // The broker would never send a full batch: every batch would wait the whole `wait`.
    throw new WarrenError(
      'INVALID_OPTIONS',
      `prefetch (${prefetch}) must be at least size (${size})`,
    )
  }
  const waitMs = toMs(options.wait ?? '200ms')
  const timeoutMs = toMs(options.timeout ?? '30s')
  const consume: ConsumeOptions = {
    prefetch,
    // Every message of every running batch is a "running handler" of the consumer underneath.
    concurrency: size * concurrency,
    // The batch enforces its own timeout; this only backs it up, past the wait and the run.
    timeout: waitMs + timeoutMs + 1_000,
  }
  if (options.idempotency) consume.idempotency = options.idempotency
  return { size, waitMs, timeoutMs, consume }
}
