// Plain data for the console's unit tests, shaped like what the admin API sends.
import type { BulkOperationView, GroupView } from '@warren/admin-api'
import type { DeadLetterMessage } from '../features/dead-letters/types.js'
import type { QueueItem } from '../features/queues/types.js'

/** A dead letter with no facts beyond its id, unless `over` gives them. */
export function deadLetter(id: string, over: Partial<DeadLetterMessage> = {}): DeadLetterMessage {
  return {
    id,
    messageId: id,
    reason: null,
    originalQueue: null,
    exchange: null,
    routingKey: null,
    attempts: null,
    error: null,
    deadLetteredAt: null,
    explanation: null,
    properties: {},
    headers: {},
    payload: null,
    payloadEncoding: 'json',
    payloadTruncated: false,
    payloadBytes: 0,
    ...over,
  }
}

/** An error as the SDK records it. */
export const failure = (
  name: string | null,
  message: string | null,
  stack: string | null = null,
) => ({
  name,
  message,
  stack,
})

/** A consumed, empty work queue in vhost `/`, unless `over` says otherwise. */
export function queue(name: string, over: Partial<QueueItem> = {}): QueueItem {
  return {
    vhost: '/',
    name,
    type: 'quorum',
    role: 'work',
    messages: 0,
    ready: 0,
    unacked: 0,
    consumers: 1,
    rates: { publish: 0, deliver: 0, ack: 0, redeliver: 0 },
    totals: { published: 0, delivered: 0, acked: 0 },
    deadLetterExchange: null,
    deadLetterRoutingKey: null,
    messageTtlMs: null,
    policy: null,
    deliveryLimit: 'unlimited',
    lengthLimited: false,
    deadLetterQueue: null,
    retryQueues: [],
    retryOf: null,
    bindings: [],
    feeds: [],
    oldestAgeMs: null,
    stored: null,
    ...over,
  }
}

/** A failure group as the admin API sends it. */
export function group(key: string, over: Partial<GroupView> = {}): GroupView {
  return {
    key,
    errorName: 'TypeError',
    errorMessage: `failure ${key}`,
    count: 1,
    firstSeen: '2026-12-01T10:00:00.000Z',
    lastSeen: '2026-12-03T10:00:00.000Z',
    originalQueues: ['orders'],
    ...over,
  }
}

/** A bulk operation running on `orders.dlq`, a third done. */
export function bulkOperation(
  id: string,
  over: Partial<BulkOperationView> = {},
): BulkOperationView {
  return {
    id,
    action: 'requeue',
    vhost: '/',
    queue: 'orders.dlq',
    target: null,
    status: 'running',
    total: 300,
    done: 100,
    failed: 0,
    skipped: 0,
    failures: [],
    rate: 50,
    measuredRate: 48,
    etaSeconds: 4,
    possibleDuplicates: 0,
    actor: 'operator',
    createdAt: '2026-12-03T10:00:00.000Z',
    updatedAt: '2026-12-03T10:00:02.000Z',
    finishedAt: null,
    error: null,
    ...over,
  }
}
