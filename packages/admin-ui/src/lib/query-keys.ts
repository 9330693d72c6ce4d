import type { QueueListQuery } from '@warren/admin-api/queues-query'
import type { StoreFilter } from '../features/dead-letters/store-filter.js'

/**
 * The one query-key factory of the console. Keys nest from general to specific, so a mutation
 * invalidates a whole family (`queryKeys.deadLetters.all`) without knowing its members.
 */
export const queryKeys = {
  session: ['session'] as const,
  overview: ['overview'] as const,
  alerts: ['alerts'] as const,
  queues: {
    all: ['queues'] as const,
    list: (query: QueueListQuery) => [...queryKeys.queues.all, 'list', query] as const,
    detail: (vhost: string, name: string) =>
      [...queryKeys.queues.all, 'detail', vhost, name] as const,
  },
  deadLetters: {
    all: ['dead-letters'] as const,
    list: () => [...queryKeys.deadLetters.all, 'list'] as const,
    messages: (
      vhost: string,
      queue: string,
      params: { limit: number; offset: number; filter: StoreFilter },
    ) => [...queryKeys.deadLetters.all, 'messages', vhost, queue, params] as const,
    groups: (vhost: string, queue: string, filter: StoreFilter) =>
      [...queryKeys.deadLetters.all, 'groups', vhost, queue, filter] as const,
    notes: (vhost: string, queue: string) =>
      [...queryKeys.deadLetters.all, 'notes', vhost, queue] as const,
    operations: (vhost: string, queue: string) =>
      [...queryKeys.deadLetters.all, 'operations', vhost, queue] as const,
  },
  archive: {
    all: ['archive'] as const,
    list: (params: { vhost: string; queue: string; limit: number; offset: number }) =>
      [...queryKeys.archive.all, 'list', params] as const,
  },
  audit: {
    all: ['audit'] as const,
    list: (params: { limit: number; offset: number }) =>
      [...queryKeys.audit.all, 'list', params] as const,
  },
  operation: (id: string) => ['operation', id] as const,
  bulkOperation: (id: string) => ['bulk-operation', id] as const,
  /** Apart from the dead letters: the operation a dry run counted for must not count again. */
  dryRun: (vhost: string, queue: string, request: object) =>
    ['dry-run', vhost, queue, request] as const,
}

/** Everything that shows messages or counts: what a requeue, delete, purge or restore changes. */
export const affectedByMessageOperations = [
  queryKeys.deadLetters.all,
  queryKeys.queues.all,
  queryKeys.overview,
  queryKeys.archive.all,
  queryKeys.audit.all,
] as const
