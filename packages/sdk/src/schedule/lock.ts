/** The lock queue of a schedule; its single active consumer is the instance that publishes. */
export function lockQueueName(name: string): string {
  return `warren.schedule.${name}`
}

/**
 * Quorum (the lock survives a node), single active consumer (one leader), and at most one ready
 * token: every instance adds one now and then, so a purged or lost token heals, yet they never
 * pile up.
 */
export const LOCK_QUEUE_ARGUMENTS = {
  'x-queue-type': 'quorum',
  'x-single-active-consumer': true,
  'x-max-length': 1,
  'x-overflow': 'drop-head',
}
