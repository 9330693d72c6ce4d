/** What a link to a dead-letter queue may carry: the failure group to open it on. */
export interface DeadLetterQueueSearch {
  group?: string
}

/** The DLQ screen's search params; anything else in the URL is ignored. */
export function parseDeadLetterQueueSearch(raw: Record<string, unknown>): DeadLetterQueueSearch {
  const group = raw['group']
  return typeof group === 'string' && group !== '' ? { group } : {}
}
