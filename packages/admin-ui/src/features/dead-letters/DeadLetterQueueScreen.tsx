import { Link, useParams, useSearch } from '@tanstack/react-router'
import { useCallback, useState } from 'react'
import { Loading } from '../../components/Notice.js'
import { useCanOperate } from '../auth/role.js'
import type { PendingAction } from './actions.js'
import { useDeadLetterQueues } from './api/get-dead-letter-queues.js'
import { LiveMessages } from './LiveMessages.js'
import { OperationDialog } from './OperationDialog.js'
import { PurgeDialog } from './PurgeDialog.js'
import { StoredMessages } from './StoredMessages.js'
import { usePageTitle } from '../../lib/page-title.js'
import { Freshness } from '../../components/Freshness.js'

type QueueAction = Extract<PendingAction, { kind: 'purge' | 'requeue-all' }>

/**
 * One dead-letter queue. Kept in Warren's store, it is paged, filtered and grouped by the server
 * (StoredMessages); read live in RabbitMQ, its first messages are loaded and filtered here
 * (LiveMessages).
 */
export function DeadLetterQueueScreen() {
  const { vhost, queue } = useParams({ from: '/dead-letters/$vhost/$queue' })
  const { group } = useSearch({ from: '/dead-letters/$vhost/$queue' })
  const canOperate = useCanOperate()
  const [action, setAction] = useState<QueueAction | null>(null)
  const [storeSeen, setStoreSeen] = useState(false)
  const onStored = useCallback(() => setStoreSeen(true), [])

  const dlqs = useDeadLetterQueues()
  usePageTitle(queue)
  const summary = dlqs.data?.items.find((d) => d.vhost === vhost && d.name === queue)
  // Until discovery answers it is not known where the dead letters are; a queue it does not
  // list (yet) is read live, which says so when the store has it after all.
  const known = dlqs.isSuccess || dlqs.isError
  const stored = storeSeen || (summary?.stored ?? null) !== null
  const total = summary?.messages ?? 0

  return (
    <section aria-labelledby="dlq-title">
      <div className="page-header">
        <div>
          <div className="breadcrumb">
            <Link to="/dead-letters">Dead letters</Link> · vhost{' '}
            <span className="mono">{vhost}</span>
          </div>
          <h1 id="dlq-title" className="mono">
            {queue}
          </h1>
          <Freshness source={dlqs} />
        </div>
        {canOperate ? (
          <div className="bulkbar" role="toolbar" aria-label="Queue actions">
            {stored ? null : (
              <button
                type="button"
                className="button"
                data-testid="requeue-all"
                disabled={total === 0}
                onClick={() => setAction({ kind: 'requeue-all', count: total })}
              >
                Requeue all
              </button>
            )}
            <button
              type="button"
              className="button danger-outline"
              data-testid="purge"
              disabled={total === 0}
              onClick={() => setAction({ kind: 'purge', count: total })}
            >
              Purge…
            </button>
          </div>
        ) : null}
      </div>

      {!known ? (
        <Loading label="Finding the queue…" />
      ) : stored ? (
        <StoredMessages
          vhost={vhost}
          queue={queue}
          canOperate={canOperate}
          feeds={summary?.feeds ?? []}
          initialGroup={group}
        />
      ) : (
        <LiveMessages
          vhost={vhost}
          queue={queue}
          canOperate={canOperate}
          summary={summary}
          onStored={onStored}
        />
      )}

      {action?.kind === 'purge' ? (
        <PurgeDialog
          vhost={vhost}
          queue={queue}
          count={action.count}
          onClose={() => setAction(null)}
          onDone={() => {}}
        />
      ) : action ? (
        <OperationDialog
          vhost={vhost}
          queue={queue}
          action={action}
          onClose={() => setAction(null)}
          onDone={() => {}}
        />
      ) : null}
    </section>
  )
}
