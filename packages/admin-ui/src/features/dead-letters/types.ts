import type { getDeadLetterQueues } from './api/get-dead-letter-queues.js'
import type { getMessages } from './api/get-messages.js'

// Derived from the typed client, never written by hand: a changed route changes these.
export type DeadLetterMessage = Awaited<ReturnType<typeof getMessages>>['items'][number]
export type DeadLetterQueue = Awaited<ReturnType<typeof getDeadLetterQueues>>['items'][number]
