import type { getQueue } from './api/get-queue.js'
import type { getQueues } from './api/get-queues.js'

// Derived from the typed client, never written by hand.
export type QueueItem = Awaited<ReturnType<typeof getQueues>>['items'][number]
export type QueueDetail = Awaited<ReturnType<typeof getQueue>>
