import { useQueryClient } from '@tanstack/react-query'
import { useEffect } from 'react'
import { formatRelative } from '../../lib/format.js'
import { queryKeys } from '../../lib/query-keys.js'
import { ACTIVE, useBulkOperations } from './api/get-bulk-operations.js'
import { BulkProgress, operationTitle } from './BulkProgress.js'

const RECENT = 5

/**
 * The queue's bulk operations, from the server: the running one is shown with its controls after
 * a reload or on another operator's screen; the last finished ones are listed below it.
 */
export function OperationsPanel({ vhost, queue }: { vhost: string; queue: string }) {
  const operations = useBulkOperations(vhost, queue)
  const items = operations.data?.items ?? []
  const active = items.filter((op) => ACTIVE.has(op.status))
  const finished = items.filter((op) => !ACTIVE.has(op.status)).slice(0, RECENT)
  const queryClient = useQueryClient()
  const running = active.map((op) => op.id).join(',')
  // When an operation ends, the messages and groups it took are gone: read them again now.
  useEffect(() => {
    for (const family of ['messages', 'groups'] as const) {
      void queryClient.invalidateQueries({
        queryKey: [...queryKeys.deadLetters.all, family, vhost, queue],
      })
    }
  }, [running, queryClient, vhost, queue])
  if (items.length === 0) return null
  return (
    <section aria-labelledby="operations-title" data-testid="operations-panel">
      <h2 id="operations-title">Bulk operations</h2>
      {active.map((op) => (
        <BulkProgress key={op.id} id={op.id} initial={op} />
      ))}
      {finished.length ? (
        <ul className="operation-list" aria-label="Finished operations">
          {finished.map((op) => (
            <li key={op.id} data-testid="finished-operation" data-status={op.status}>
              {operationTitle(op)}: <strong>{op.status}</strong>, {op.done} done
              {op.failed ? `, ${op.failed} failed` : ''} · {op.actor} ·{' '}
              {formatRelative(op.finishedAt ?? op.updatedAt)}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  )
}
