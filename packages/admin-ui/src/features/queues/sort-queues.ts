import type { QueueItem } from './types.js'

export type SortKey = 'name' | 'role' | 'messages' | 'publish' | 'deliver' | 'consumers'
export interface Sort {
  key: SortKey
  descending: boolean
}

const value = (q: QueueItem, key: SortKey): string | number => {
  switch (key) {
    case 'name':
      return `${q.vhost}\u0000${q.name}`
    case 'role':
      return q.role
    case 'messages':
      return q.messages
    case 'publish':
      return q.rates.publish
    case 'deliver':
      return q.rates.deliver
    case 'consumers':
      return q.consumers
  }
}

export function sortQueues(queues: readonly QueueItem[], sort: Sort): QueueItem[] {
  const direction = sort.descending ? -1 : 1
  return [...queues].sort((a, b) => {
    const x = value(a, sort.key)
    const y = value(b, sort.key)
    const order =
      typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))
    return order * direction || a.name.localeCompare(b.name)
  })
}

/** Matches the search box against the queue's name, vhost, role and linked queues. */
export function matchesSearch(q: QueueItem, search: string): boolean {
  const needle = search.trim().toLowerCase()
  if (!needle) return true
  return [q.name, q.vhost, q.role, q.deadLetterQueue ?? '', ...q.retryQueues.map((r) => r.name)]
    .join(' ')
    .toLowerCase()
    .includes(needle)
}
